// The formatter, test runner, reports, REPL, generator and benchmark live here.
