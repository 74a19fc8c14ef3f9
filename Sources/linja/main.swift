import Foundation
import LinjaTools

Allocator.keepFreedBlocks()
let program = CommandLineProgram(
    name: "linja",
    summary: "policy rules for Finnish employment areas, checked, tested and run.",
    commands: commands)
let code = program.run(Array(CommandLine.arguments.dropFirst()))
stdout.flush()
stderr.flush()
exit(code)
