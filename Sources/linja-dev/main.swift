import Foundation
import LinjaTools

/// Standard output and error, buffered.
let stdout = Console.out
let stderr = Console.err

/// Tools for Linja's developers; the user's commands are in `linja`.
let program = CommandLineProgram(
    name: "linja-dev",
    summary: "tools for Linja's developers: benchmark, robustness, differential testing, stress inputs.",
    commands: [benchCommand, lspBenchCommand, robustnessCommand, differentialCommand, dueDifferentialCommand, stressCommand, browserCheckCommand, measureCommand])
let code = program.run(Array(CommandLine.arguments.dropFirst()))
stdout.flush()
stderr.flush()
exit(code)
