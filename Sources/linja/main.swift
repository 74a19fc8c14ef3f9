import Foundation
import Linja


func mainHelp() -> String {
    var s = """
    linja: policy rules for Finnish employment areas, checked, tested and run.

    Usage: linja <command> [options]

    Commands:

    """
    let width = (commands.map(\.spec.name.count).max() ?? 8) + 2
    for c in commands {
        s += "  " + c.spec.name + String(repeating: " ", count: width - c.spec.name.count) + c.spec.summary + "\n"
    }
    s += "\nRun 'linja <command> --help' for a command's options.\nExit codes: 0 ok, 1 policy errors or failed tests, 2 usage or input errors.\n"
    return s
}

func runMain() -> Int32 {
    let args = Array(CommandLine.arguments.dropFirst())
    guard let first = args.first else {
        stderr.write(mainHelp())
        return Exit.usage
    }
    if first == "--help" || first == "-h" || first == "help" {
        stdout.write(mainHelp())
        return Exit.ok
    }
    if first == "--version" {
        stdout.line("linja 0.1.0")
        return Exit.ok
    }
    guard let cmd = commands.first(where: { $0.spec.name == first }) else {
        let s = Linja.Suggest.closest(first, among: commands.map(\.spec.name), maxDistance: 2)
        stderr.line("linja: unknown command '\(first)'" + (s.map { "; did you mean '\($0)'?" } ?? ""))
        stderr.line("Run 'linja --help' for the commands.")
        return Exit.usage
    }
    do {
        let parsed = try cmd.spec.parse(Array(args.dropFirst()))
        if parsed.flag("help") {
            stdout.write(cmd.spec.help)
            return Exit.ok
        }
        return try cmd.run(parsed)
    } catch let e as UsageError {
        stderr.line("linja \(cmd.spec.name): \(e.message)")
        stderr.line("Run 'linja \(cmd.spec.name) --help' for usage.")
        return Exit.usage
    } catch let e as InputError {
        stderr.line("linja \(cmd.spec.name): \(e.message)")
        return Exit.usage
    } catch {
        stderr.line("linja \(cmd.spec.name): \(error)")
        return Exit.usage
    }
}

/// A problem with the input (a path, a data file): exit 2.
struct InputError: Error {
    var message: String
}

let code = runMain()
stdout.flush()
if ProcessInfo.processInfo.environment["LINJA_REPORT_PEAK_RSS"] != nil {
    // For the benchmark: this process's own peak resident memory.
    if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
       let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) {
        stderr.line("peak-rss-kb: \(line.filter(\.isNumber))")
    }
}
stderr.flush()
exit(code)
