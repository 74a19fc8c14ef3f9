import Linja

/// A small command-line parser: options are declared once per command with
/// their help text, so parsing and `--help` can never disagree.
public struct OptionSpec: Sendable {
    public enum Kind: Sendable { case flag, value, multiple }
    public var name: String
    public var kind: Kind
    public var valueName: String
    public var help: String
    public var short: Character?

    public static func flag(_ name: String, _ help: String, short: Character? = nil) -> OptionSpec {
        OptionSpec(name: name, kind: .flag, valueName: "", help: help, short: short)
    }
    public static func value(_ name: String, _ valueName: String, _ help: String, short: Character? = nil) -> OptionSpec {
        OptionSpec(name: name, kind: .value, valueName: valueName, help: help, short: short)
    }
    public static func multiple(_ name: String, _ valueName: String, _ help: String) -> OptionSpec {
        OptionSpec(name: name, kind: .multiple, valueName: valueName, help: help, short: nil)
    }
}

/// A mistake in how the command was called: exit 2, with a pointer to `--help`.
public struct UsageError: Error {
    public var message: String
    public init(message: String) { self.message = message }
}

/// A problem with the input (a path, a data file): exit 2.
public struct InputError: Error {
    public var message: String
    public init(message: String) { self.message = message }
}

public struct ParsedArguments {
    public var positional: [String] = []
    public var flags: Set<String> = []
    public var values: [String: [String]] = [:]

    public func flag(_ n: String) -> Bool { flags.contains(n) }
    public func value(_ n: String) -> String? { values[n]?.last }
    public func all(_ n: String) -> [String] { values[n] ?? [] }

    /// A value from a fixed set of choices.
    public func choice(_ n: String, _ choices: [String], default d: String) throws -> String {
        guard let v = value(n) else { return d }
        guard choices.contains(v) else {
            throw UsageError(message: "--\(n) must be one of \(choices.joined(separator: ", ")), not '\(v)'")
        }
        return v
    }

    public func int(_ n: String, default d: Int, range: ClosedRange<Int>) throws -> Int {
        guard let v = value(n) else { return d }
        guard let i = Int(v), range.contains(i) else {
            throw UsageError(message: "--\(n) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(v)'")
        }
        return i
    }
}

public struct CommandSpec: Sendable {
    public var name: String
    public var usage: String
    public var summary: String
    public var details: String
    public var options: [OptionSpec]

    public init(name: String, usage: String, summary: String, details: String, options: [OptionSpec]) {
        self.name = name
        self.usage = usage
        self.summary = summary
        self.details = details
        self.options = options
    }

    public func parse(_ args: [String]) throws -> ParsedArguments {
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
                let suggestion = Suggest.closest(name, among: options.map(\.name), maxDistance: 2)
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

    public var help: String {
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

