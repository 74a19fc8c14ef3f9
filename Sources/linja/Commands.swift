import LinjaTools

/// Standard output and error, buffered; the CLI is single-threaded here.
let stdout = Console.out
let stderr = Console.err

/// The user's commands. The developers' tools are in `linja-dev`.
let commands: [Command] = [
    checkCommand,
    runCommand,
    dueCommand,
    goalsCommand,
    reportCommand,
    testCommand,
    replCommand,
    fmtCommand,
    diffCommand,
    generateCommand,
    lspCommand,
]
