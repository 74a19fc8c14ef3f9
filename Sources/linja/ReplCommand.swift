import Foundation
import Linja
import LinjaTools

let replCommand = Command(
    spec: CommandSpec(
        name: "repl",
        usage: "linja repl [POLICY] [--as-of DATE] [--clients FILE]",
        summary: "Explore a policy interactively: values, decisions, why and why not.",
        details: """
        Type expressions (their value and type for the current client), declarations
        (let, param, rule, … added to the session) or commands; :help lists them.
        On a terminal lines can be edited, Tab completes names and commands, and
        history is kept in ~/.linja_history (LINJA_HISTORY names another file; empty
        keeps none). Piped input is read line by line with no prompt; then the exit
        code is 1 if any input failed, else 0.
        """,
        options: [
            .asOf("The date rules are evaluated on (default: the policy's sample date, else today)."),
            .clients("Client records (CSV or JSON Lines) for :client from ID and :goals."),
        ]),
    run: { args in
        guard args.positional.count <= 1 else { throw UsageError(message: "unexpected argument '\(args.positional[1])'") }
        let asOf = try args.date("as-of")
        if let clients = args.value("clients"), !FileManager.default.fileExists(atPath: clients) {
            throw InputError(message: "no such file: \(clients)")
        }
        return runRepl(policy: args.positional.first, asOf: asOf, clients: args.value("clients"))
    })

/// The terminal front end: lines from `LineReader` into a `ReplSession`.
func runRepl(policy path: String?, asOf: Day?, clients: String?) -> Int32 {
    let session = ReplSession(asOf: asOf, today: localToday(), clients: clients, color: useColor(fd: 1)) { text in
        stdout.write(text)
    }
    var history = History(fileURL: History.defaultFileURL())
    var historyProblem: String?
    do { try history.load() } catch { historyProblem = "\(error)" }
    let reader = LineReader(history: history, completion: { line, cursor in session.completions(line: line, cursor: cursor) })
    let interactive = reader.mode != .plain

    if interactive {
        stdout.line("linja repl: :help lists the commands, :quit or Ctrl-D ends.")
        if let problem = historyProblem { stdout.line("warning: history not read: \(problem)") }
    }
    if let path { session.load(path) }
    var historyErrorShown = false
    loop: while true {
        stdout.flush()
        let result = reader.readLine(continuation: session.isContinuing)
        switch result {
        case .line(let line):
            if session.submit(line) == .quit { break loop }
        case .cancelled:
            session.cancelInput()
        case .endOfInput:
            session.finishInput()
            break loop
        }
        if interactive, !historyErrorShown, let error = reader.historyError {
            stdout.line("warning: history not saved: \(error)")
            historyErrorShown = true
        }
    }
    stdout.flush()
    return !interactive && session.errorCount > 0 ? Exit.failure : Exit.ok
}

/// Today in the local time zone: the date the REPL starts on when neither
/// `--as-of` nor the policy's sample date says otherwise.
func localToday() -> Day {
    let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone.current, from: Date())
    return Day(year: parts.year ?? 2026, month: parts.month ?? 1, day: parts.day ?? 1) ?? Day(number: 0)
}
