import Linja

/// A small command-line parser: options are declared once per command with
/// their help text, so parsing and `--help` can never disagree.
struct OptionSpec: Sendable {
    enum Kind: Sendable { case flag, value, multiple }
    var name: String
    var kind: Kind
    var valueName: String
    var help: String
    var short: Character?

    static func flag(_ name: String, _ help: String, short: Character? = nil) -> OptionSpec {
        OptionSpec(name: name, kind: .flag, valueName: "", help: help, short: short)
    }
    static func value(_ name: String, _ valueName: String, _ help: String, short: Character? = nil) -> OptionSpec {
        OptionSpec(name: name, kind: .value, valueName: valueName, help: help, short: short)
    }
    static func multiple(_ name: String, _ valueName: String, _ help: String) -> OptionSpec {
        OptionSpec(name: name, kind: .multiple, valueName: valueName, help: help, short: nil)
    }
}

struct UsageError: Error {
    var message: String
}

struct ParsedArguments {
    var positional: [String] = []
    var flags: Set<String> = []
    var values: [String: [String]] = [:]

    func flag(_ n: String) -> Bool { flags.contains(n) }
    func value(_ n: String) -> String? { values[n]?.last }
    func all(_ n: String) -> [String] { values[n] ?? [] }

    /// A value from a fixed set of choices.
    func choice(_ n: String, _ choices: [String], default d: String) throws -> String {
        guard let v = value(n) else { return d }
        guard choices.contains(v) else {
            throw UsageError(message: "--\(n) must be one of \(choices.joined(separator: ", ")), not '\(v)'")
        }
        return v
    }

    func int(_ n: String, default d: Int, range: ClosedRange<Int>) throws -> Int {
        guard let v = value(n) else { return d }
        guard let i = Int(v), range.contains(i) else {
            throw UsageError(message: "--\(n) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(v)'")
        }
        return i
    }
}

struct CommandSpec: Sendable {
    var name: String
    var usage: String
    var summary: String
    var details: String
    var options: [OptionSpec]

    func parse(_ args: [String]) throws -> ParsedArguments {
        var out = ParsedArguments()
        var i = 0
        var onlyPositional = false
        while i < args.count {
            let a = args[i]
            i += 1
            if onlyPositional || a == "-" || !a.hasPrefix("-") {
                out.positional.append(a)
                continue
            }
            if a == "--" { onlyPositional = true; continue }
            var name: String
            var inline: String?
            if a.hasPrefix("--") {
                let body = a.dropFirst(2)
                if let eq = body.firstIndex(of: "=") {
                    name = String(body[..<eq])
                    inline = String(body[body.index(after: eq)...])
                } else {
                    name = String(body)
                }
            } else {
                let c = a.dropFirst().first
                guard a.count == 2, let spec = options.first(where: { $0.short == c }) else {
                    throw UsageError(message: "unknown option '\(a)'")
                }
                name = spec.name
            }
            if name == "help" { out.flags.insert("help"); continue }
            guard let spec = options.first(where: { $0.name == name }) else {
                let suggestion = Linja.Suggest.closest(name, among: options.map(\.name), maxDistance: 2)
                throw UsageError(message: "unknown option '--\(name)'" + (suggestion.map { "; did you mean '--\($0)'?" } ?? ""))
            }
            switch spec.kind {
            case .flag:
                if inline != nil { throw UsageError(message: "--\(name) takes no value") }
                out.flags.insert(name)
            case .value, .multiple:
                let v: String
                if let inline { v = inline } else {
                    guard i < args.count else { throw UsageError(message: "--\(name) needs a value (\(spec.valueName))") }
                    v = args[i]
                    i += 1
                }
                out.values[name, default: []].append(v)
            }
        }
        return out
    }

    var help: String {
        var s = "\(summary)\n\nUsage: \(usage)\n"
        if !details.isEmpty { s += "\n\(details)\n" }
        if !options.isEmpty {
            s += "\nOptions:\n"
            let rows = options.map { o -> (String, String) in
                let flag = (o.short.map { "-\($0), " } ?? "") + "--\(o.name)" + (o.kind == .flag ? "" : " \(o.valueName)")
                return (flag, o.help)
            } + [("--help", "Show this help.")]
            let width = min(34, rows.map(\.0.count).max() ?? 0)
            for (f, h) in rows {
                s += "  " + f + String(repeating: " ", count: max(1, width - f.count + 2)) + h + "\n"
            }
        }
        return s
    }
}

