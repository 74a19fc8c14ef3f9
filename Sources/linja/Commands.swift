/// Each subcommand: its spec (options and help) and what it runs.
struct Command: Sendable {
    var spec: CommandSpec
    var run: @Sendable (ParsedArguments) throws -> Int32
}

/// Standard output and error, buffered; the CLI is single-threaded here.
let stdout = Output(fd: 1)
let stderr = Output(fd: 2)

let commands: [Command] = [
    checkCommand,
    runCommand,
    goalsCommand,
    replCommand,
    fmtCommand,
    testCommand,
    generateCommand,
    reportCommand,
    diffCommand,
    robustnessCommand,
    benchCommand,
    differentialCommand,
    lspCommand,
]
