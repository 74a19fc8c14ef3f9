import Foundation
import Linja

/// A subcommand: its spec (options and help) and what it runs.
public struct Command: Sendable {
    public var spec: CommandSpec
    public var run: @Sendable (ParsedArguments) throws -> Int32
    public init(spec: CommandSpec, run: @escaping @Sendable (ParsedArguments) throws -> Int32) {
        self.spec = spec
        self.run = run
    }
}

/// A command-line program of subcommands (`linja`, `linja-dev`): help,
/// dispatch, and the one mapping of errors to exit codes.
public struct CommandLineProgram: Sendable {
    public var name: String
    public var summary: String
    public var commands: [Command]

    public init(name: String, summary: String, commands: [Command]) {
        self.name = name
        self.summary = summary
        self.commands = commands
    }

    public var help: String {
        var s = "\(name): \(summary)\n\nUsage: \(name) <command> [options]\n\nCommands:\n"
        let width = (commands.map(\.spec.name.count).max() ?? 8) + 2
        for c in commands {
            s += "  " + c.spec.name + String(repeating: " ", count: width - c.spec.name.count) + c.spec.summary + "\n"
        }
        s += "\nRun '\(name) <command> --help' for a command's options.\n"
        s += "Exit codes: 0 ok, 1 policy errors or failed tests, 2 usage or input errors.\n"
        return s
    }

    /// Runs the command `arguments` name; returns the exit code.
    public func run(_ arguments: [String]) -> Int32 {
        let out = Console.out, err = Console.err
        guard let first = arguments.first else {
            err.write(help)
            return Exit.usage
        }
        if first == "--help" || first == "-h" || first == "help" {
            out.write(help)
            return Exit.ok
        }
        if first == "--version" {
            out.line("\(name) 0.1.0")
            return Exit.ok
        }
        guard let cmd = commands.first(where: { $0.spec.name == first }) else {
            let s = Suggest.closest(first, among: commands.map(\.spec.name), maxDistance: 2)
            err.line("\(name): unknown command '\(first)'" + (s.map { "; did you mean '\($0)'?" } ?? ""))
            err.line("Run '\(name) --help' for the commands.")
            return Exit.usage
        }
        Console.command = "\(name) \(cmd.spec.name)"
        do {
            let parsed = try cmd.spec.parse(Array(arguments.dropFirst()))
            if parsed.flag("help") {
                out.write(cmd.spec.help)
                return Exit.ok
            }
            return try cmd.run(parsed)
        } catch let e as UsageError {
            err.line("\(name) \(cmd.spec.name): \(e.message)")
            err.line("Run '\(name) \(cmd.spec.name) --help' for usage.")
            return Exit.usage
        } catch let e as InputError {
            err.line("\(name) \(cmd.spec.name): \(e.message)")
            return Exit.usage
        } catch {
            err.line("\(name) \(cmd.spec.name): \(error)")
            return Exit.usage
        }
    }
}
