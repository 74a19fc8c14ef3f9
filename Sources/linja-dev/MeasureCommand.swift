import Foundation
import Linja
import LinjaDevTools
import LinjaTools

let measureCommand = Command(
    spec: CommandSpec(
        name: "measure",
        usage: "linja-dev measure -- COMMAND [ARGUMENTS...]",
        summary: "Run a command and print its own peak resident memory.",
        details: """
        Runs COMMAND with this process's standard input, output and error, waits for it,
        then writes 'peak-rss-kb: N' (the child's peak resident memory in KiB, from the
        kernel's accounting), 'cpu-seconds: S' (its user and system time) and
        'system-seconds: S' (the system part) to standard error, and exits with the
        child's exit status.
        The benchmark runs 'linja run' through it: spawned from this small process, the
        child's peak is its own, not that of a large parent it was forked from.
        """,
        options: []),
    run: { args in
        guard let exe = args.positional.first else { throw UsageError(message: "give the command to run after --") }
        let (status, peakKB, cpu, system) = ChildProcess.run(exe, Array(args.positional.dropFirst()))
        guard status >= 0 else { throw InputError(message: "cannot run \(exe)") }
        stderr.line("peak-rss-kb: \(peakKB)")
        stderr.line("cpu-seconds: \(cpu)")
        stderr.line("system-seconds: \(system)")
        return status
    })
