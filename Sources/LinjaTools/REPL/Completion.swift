// Tab completion for the REPL: commands, names of the policy, paths.

import Foundation
import Linja

extension ReplSession {
    /// Candidates for the word before `cursor` (in characters) in `line`,
    /// for `LineReader`'s completion: each candidate replaces that word
    /// (`LineEditor.completionWord`), so it includes the part typed.
    ///
    /// After `:` at the start: command names. After a command: what it
    /// takes (fields for `:set`, outcomes for `:why`, fixtures for
    /// `:client like`, files for `:load` and `:client from`). Elsewhere:
    /// lets, params, municipalities, groups, enumeration values, rules,
    /// outcomes, builtins and `client.FIELD`.
    public func completions(line: String, cursor: Int) -> [String] {
        let characters = Array(line)
        let end = min(max(cursor, 0), characters.count)
        let word = LineEditor.completionWord(in: line, cursor: end)
        let head = String(characters[..<(end - word.count)])
        let headWords = Self.words(head)
        func matching(_ candidates: [String]) -> [String] {
            var seen = Set<String>()
            return candidates.filter { $0.hasPrefix(word) && seen.insert($0).inserted }.sorted()
        }
        if headWords.isEmpty, word.hasPrefix(":") {
            return matching(Self.commands.map { ":" + ($0.name.split(separator: " ").first.map(String.init) ?? $0.name) })
        }
        guard let command = headWords.first, command.hasPrefix(":") else {
            return matching(expressionNames(word))
        }
        let arguments = headWords.dropFirst()
        switch command {
        case ":load":
            return arguments.isEmpty ? paths(word) : []
        case ":client":
            switch arguments.first {
            case nil: return matching(["from", "new", "like"])
            case "like": return arguments.count == 1 ? matching(policy.fixtures.map(\.name)) : []
            case "from": return arguments.count == 1 ? paths(word) : []
            default: return []
            }
        case ":set":
            guard let record = policy.record else { return [] }
            guard let fieldName = arguments.first else { return matching(record.fields.map(\.name)) }
            guard arguments.count == 1, let field = record.field(fieldName) else { return [] }
            return matching(values(for: field))
        case ":why", ":why-not":
            let kinds = OutcomeKind.allCases.map(\.rawValue)
            if let first = arguments.first, let kind = OutcomeKind(rawValue: first) {
                return arguments.count == 1 ? matching(policy.outcomes.filter { $0.kind == kind }.map(\.name)) : []
            }
            return arguments.isEmpty ? matching(policy.outcomes.map(\.name) + kinds) : []
        case ":show":
            return matching(allDeclared().map(\.name))
        case ":goals":
            return arguments.isEmpty && !word.contains("/") ? matching(policy.report.samplePeriod.map { [$0.description] } ?? []) + paths(word) : paths(word)
        case ":type":
            return matching(expressionNames(word))
        default:
            return []
        }
    }

    /// Names an expression (or a declaration) can use.
    func expressionNames(_ word: String) -> [String] {
        var names: [String] = []
        if let record = policy.record {
            names.append(record.name)
            if word.contains(".") { names += record.fields.map { "\(record.name).\($0.name)" } }
        }
        names += policy.lets.map(\.name).filter { $0 != Self.valueName }
        names += policy.params.map(\.name)
        names += policy.municipalities.map(\.name)
        names += policy.groups.map(\.name)
        names += policy.areas.map(\.name)
        names += policy.enums.flatMap(\.values)
        names += policy.rules.map(\.name)
        names += policy.outcomes.map(\.name)
        names += ["age", "age_on", "days", "months", "years", "days_between", "working_days", "deadline",
                  "min", "max", "abs", "year", "month", "as_of", "since", "missing", "present", "otherwise"]
        return names
    }

    /// Values `:set` accepts for a field, where there is a short list.
    func values(for field: Field) -> [String] {
        var out: [String] = field.type.isOptional ? ["missing"] : []
        switch field.type.base {
        case .bool: out += ["true", "false"]
        case .municipality: out += policy.municipalities.map(\.name)
        case .enumeration(let id, _) where id < policy.enums.count: out += policy.enums[id].values
        default: break
        }
        return out
    }

    /// Files and directories whose path starts with `word`; directories end with `/`.
    func paths(_ word: String) -> [String] {
        let directoryPart: String
        let namePrefix: String
        if let slash = word.lastIndex(of: "/") {
            directoryPart = String(word[...slash])
            namePrefix = String(word[word.index(after: slash)...])
        } else {
            directoryPart = ""
            namePrefix = word
        }
        let directory = directoryPart.isEmpty ? "." : directoryPart
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var out: [String] = []
        for entry in entries where entry.hasPrefix(namePrefix) {
            if entry.hasPrefix("."), !namePrefix.hasPrefix(".") { continue }
            var isDirectory: ObjCBool = false
            let path = directoryPart + entry
            _ = FileManager.default.fileExists(atPath: directory + "/" + entry, isDirectory: &isDirectory)
            out.append(isDirectory.boolValue ? path + "/" : path)
        }
        return out.sorted()
    }
}
