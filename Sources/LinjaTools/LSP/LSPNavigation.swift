import Foundation
import Linja

/// Go to definition, find references, rename and document symbols.
extension LanguageServer {
    /// The name under a position of an open document, read in the context of
    /// the document's own policy.
    func symbol(at params: JSONValue?) throws -> (doc: TextDocument, index: SymbolIndex, occurrence: Occurrence)? {
        let doc = try document(params)
        let pos = try position(params)
        guard let path = doc.path, let index = workspace.index(ofFile: path) else { return nil }
        let offset = doc.map.offset(of: pos)
        guard let o = index.occurrence(at: offset, in: path) else { return nil }
        return (doc, index, o)
    }

    /// Every policy's index: references cross from a shared policy into its importers.
    var allIndexes: [SymbolIndex] {
        workspace.policies.keys.sorted().compactMap { workspace.index(ofPolicy: $0) }
    }

    /// A declaration's facts, from any index that knows it.
    func declaration(_ key: SymbolKey, preferring index: SymbolIndex? = nil) -> SymbolDecl? {
        if let d = index?.decls[key] { return d }
        for i in allIndexes { if let d = i.decls[key] { return d } }
        return nil
    }

    /// A declaration and those that override it by name, or that it overrides:
    /// renaming one renames all. The declaring policy's importers are loaded
    /// first, so that their uses are found even if none of their files is open.
    func family(of key: SymbolKey) -> Set<SymbolKey> {
        workspace.ensureLoaded(directory: Workspace.directory(of: key.path))
        var links: [(SymbolKey, SymbolKey)] = []
        for i in allIndexes { for (a, b) in i.overrideLinks { links.append((a, b)) } }
        var out: Set<SymbolKey> = [key]
        var changed = true
        while changed {
            changed = false
            for (a, b) in links where out.contains(a) != out.contains(b) {
                out.insert(a)
                out.insert(b)
                changed = true
            }
        }
        return out
    }

    /// Every place these declarations are written, declarations included, once.
    func occurrences(of keys: Set<SymbolKey>) -> [Occurrence] {
        var seen = Set<String>()
        var out: [Occurrence] = []
        for i in allIndexes {
            for o in i.occurrences where keys.contains(o.key) {
                if seen.insert("\(o.path):\(o.range.lowerBound):\(o.range.upperBound)").inserted { out.append(o) }
            }
        }
        // A declaration in a file no policy owns as its own still counts.
        for k in keys where !out.contains(where: { $0.isDeclaration && $0.key == k }) {
            if let d = declaration(k) {
                out.append(Occurrence(key: k, path: k.path, range: d.nameRange, isDeclaration: true))
            }
        }
        return out.sorted { ($0.path, $0.range.lowerBound) < ($1.path, $1.range.lowerBound) }
    }

    // MARK: Definition

    func definition(_ params: JSONValue?) throws -> JSONValue {
        let doc = try document(params)
        let pos = try position(params)
        guard let path = doc.path, let index = workspace.index(ofFile: path) else { return .null }
        let offset = doc.map.offset(of: pos)
        if let imp = index.imports.first(where: { $0.path == path && $0.range.contains(offset) }) {
            guard let first = PolicyLoader.ruleFiles(in: imp.directory).first else { return .null }
            return ["uri": .string(workspace.uri(for: first)), "range": LSPRange(start: .init(line: 0, character: 0),
                                                                                  end: .init(line: 0, character: 0)).json]
        }
        guard let o = index.occurrence(at: offset, in: path), let d = declaration(o.key, preferring: index) else { return .null }
        return location(d.key.path, d.nameRange) ?? .null
    }

    // MARK: References

    func references(_ params: JSONValue?) throws -> JSONValue {
        guard let (_, _, o) = try symbol(at: params) else { return .array([]) }
        let includeDeclaration = params?["context"]?["includeDeclaration"]?.bool ?? true
        let all = occurrences(of: family(of: o.key))
        return .array(all.filter { includeDeclaration || !$0.isDeclaration }.compactMap { location($0.path, $0.range) })
    }

    // MARK: Rename

    /// Why a kind of name cannot be renamed: data files or outputs name it.
    static func renameRefusal(_ kind: SymbolKind) -> String? {
        switch kind {
        case .field: return "a record field is a column of the client data (CSV and JSON Lines): renaming it would break the data files"
        case .municipality: return "municipalities are named by the client data and the area's documents: a municipality cannot be renamed"
        case .enumValue: return "an enumeration value is a value in the client data: renaming it would break the data files"
        case .target: return "a target is named by the indicator data (actuals files): renaming it would break them"
        case .assessment: return "an assessment is named by the indicator data (actuals files): renaming it would break them"
        case .record: return "the record's name is how rules read the client (`client.x`) and how aggregates count clients: it cannot be renamed"
        case .enumeration, .area, .group, .outcome, .destination, .param, .let, .rule, .goal, .fixture: return nil
        }
    }

    /// What a rename changes outside the rule files, for a warning.
    static func renameWarning(_ kind: SymbolKind, _ name: String) -> String? {
        switch kind {
        case .outcome: return "renaming outcome `\(name)` changes the outputs: `linja run` results, summaries and reports name outcomes"
        case .destination: return "renaming destination `\(name)` changes the outputs: `linja run` results name destinations"
        case .rule: return "renaming rule `\(name)` changes the outputs: `linja run --format json` and explanations name rules"
        case .goal: return "renaming goal `\(name)` changes the outputs of `linja goals` and `linja report`"
        case .area, .group, .municipality, .record, .field, .enumeration, .enumValue, .param, .let, .target, .assessment, .fixture:
            return nil
        }
    }

    func prepareRename(_ params: JSONValue?) throws -> JSONValue {
        guard let (doc, _, o) = try symbol(at: params) else {
            throw LSPError.failed("there is no name here to rename")
        }
        if let why = Self.renameRefusal(o.key.kind) { throw LSPError.failed(why) }
        let d = declaration(o.key)
        return ["range": doc.map.range(o.range).json, "placeholder": .string(d?.name ?? "")]
    }

    func rename(_ params: JSONValue?) throws -> JSONValue {
        guard let newName = params?["newName"]?.string else { throw LSPError.invalidParams("no newName") }
        guard let (_, index, o) = try symbol(at: params), let decl = declaration(o.key, preferring: index) else {
            throw LSPError.failed("there is no name here to rename")
        }
        if let why = Self.renameRefusal(o.key.kind) { throw LSPError.failed(why) }
        let name = newName.precomposedStringWithCanonicalMapping
        guard Names.isIdentifier(name) else {
            throw LSPError.failed("`\(newName)` is not a name: use letters, digits and `_`, not starting with a digit, and not a reserved word")
        }
        if name == decl.name { return ["changes": .object([:])] }
        let family = family(of: o.key)
        if let clash = clash(name, for: o.key.kind, family: family) { throw LSPError.failed(clash) }
        let places = occurrences(of: family)
        // Apply the edits to the text and check again: any new error refuses the rename.
        var edited: [String: [UInt8]] = [:]
        for (path, group) in Dictionary(grouping: places, by: \.path) {
            guard var bytes = workspace.bytes(ofFile: path) else { continue }
            for p in group.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) where p.range.upperBound <= bytes.count {
                bytes.replaceSubrange(p.range, with: Array(name.utf8))
            }
            edited[path] = bytes
        }
        if let problem = newErrors(after: edited) {
            throw LSPError.failed("renaming `\(decl.name)` to `\(name)` would give an error: \(problem)")
        }
        var changes: [String: JSONValue] = [:]
        for (path, group) in Dictionary(grouping: places, by: \.path) {
            guard let map = workspace.lineMap(ofFile: path) else { continue }
            changes[workspace.uri(for: path)] = .array(group.map { ["range": map.range($0.range).json, "newText": .string(name)] })
        }
        if let w = Self.renameWarning(o.key.kind, decl.name) { show("Linja: " + w, type: 2) }
        return ["changes": .object(changes)]
    }

    /// A declaration the new name would collide with, said as a reason.
    func clash(_ name: String, for kind: SymbolKind, family: Set<SymbolKey>) -> String? {
        for i in allIndexes {
            let tables: [(String, [String: SymbolKey])]
            switch kind {
            case .param, .let, .group, .area, .municipality:
                tables = [("param", i.params), ("let", i.lets), ("municipality", i.municipalities), ("group", i.groups),
                          ("area", i.areas)]
            case .rule: tables = [("rule", i.rules), ("rule", i.importedRules)]
            case .outcome: tables = [("outcome", i.outcomes)]
            case .goal: tables = [("goal", i.goals)]
            case .fixture: tables = [("fixture", i.fixtures)]
            case .enumeration: tables = [("enumeration", i.enums)]
            case .destination:
                let owners = family.compactMap { declaration($0)?.container }
                tables = owners.compactMap { o in declaration(o).map { ("destination of `\($0.name)`", i.destinations[$0.name] ?? [:]) } }
            case .record, .field, .enumValue, .target, .assessment:
                tables = []
            }
            for (what, table) in tables {
                if let k = table[name], !family.contains(k) {
                    let at = declaration(k).flatMap { d in workspace.lineMap(ofFile: d.key.path).map { (d, $0) } }
                    let place = at.map { " (\(Paths.display($0.0.key.path)):\($0.1.position(of: $0.0.nameRange.lowerBound).line + 1))" } ?? ""
                    return "`\(name)` is already a \(what)\(place)"
                }
            }
        }
        return nil
    }

    /// The first error that checking with these texts gives and the current
    /// texts do not, in any policy that reads one of the files.
    func newErrors(after edited: [String: [UInt8]]) -> String? {
        var replacing: [String: [UInt8]] = [:]
        for d in workspace.documents.values { if let p = d.path { replacing[p] = d.bytes } }
        for (p, b) in edited { replacing[p] = b }
        let dirs = Set(edited.keys.flatMap { workspace.policies(including: Workspace.directory(of: $0)) })
        for dir in dirs.sorted() {
            guard let before = workspace.policies[dir] else { continue }
            let old = Set(before.policy.diagnostics.filter { $0.severity == .error }.map { "\($0.code.rawValue) \($0.message)" })
            let after = Policy.load(directory: dir, root: before.root, replacing: replacing, parsed: workspace.parsed)
            if let e = after.diagnostics.first(where: { $0.severity == .error && !old.contains("\($0.code.rawValue) \($0.message)") }) {
                return "\(e.message) (\(e.location?.description ?? Paths.display(dir)))"
            }
        }
        return nil
    }

    // MARK: Document symbols

    func documentSymbols(_ params: JSONValue?) throws -> JSONValue {
        let doc = try document(params)
        guard let path = doc.path, let index = workspace.index(ofFile: path),
              let decls = index.fileDeclarations[path] else { return .array([]) }
        let map = doc.map
        func symbol(_ name: String, _ detail: String?, _ kind: Int, _ range: Span, _ selection: Span,
                    _ children: [JSONValue] = []) -> JSONValue {
            let whole = min(range.start, selection.start)..<max(range.end, selection.end)
            var s: [String: JSONValue] = [
                "name": .string(name.isEmpty ? "?" : name), "kind": .int(kind),
                "range": map.range(whole).json, "selectionRange": map.range(selection.start..<selection.end).json,
            ]
            if let detail { s["detail"] = .string(detail) }
            if !children.isEmpty { s["children"] = .array(children) }
            return .object(s)
        }
        // Kinds: 2 module, 5 class, 7 property, 8 field, 10 enum, 12 function, 13 variable, 14 constant,
        // 20 key, 22 enum member, 23 struct, 24 event.
        var out: [JSONValue] = []
        for d in decls {
            switch d {
            case .importDecl(let i):
                out.append(symbol("import \"\(i.path)\"", nil, 2, i.span, i.span))
            case .area(let a):
                var children = a.municipalities.map { symbol($0.name.text, $0.code.map { "code \($0)" }, 20, $0.name.span, $0.name.span) }
                children += a.groups.map { symbol($0.header.name.text, $0.header.label, 18, $0.header.span, $0.header.name.span) }
                out.append(symbol(a.header.name.text, a.header.label ?? "area", 3, a.header.span, a.header.name.span, children))
            case .record(let r):
                let children = r.fields.map { symbol($0.header.name.text, $0.header.label, 8, $0.header.span, $0.header.name.span) }
                out.append(symbol(r.header.name.text, r.header.label ?? "record", 23, r.header.span, r.header.name.span, children))
            case .enumDecl(let e):
                let children = e.values.map { symbol($0.name.text, $0.label, 22, $0.name.span, $0.name.span) }
                out.append(symbol(e.header.name.text, e.header.label ?? "enumeration", 10, e.header.span, e.header.name.span, children))
            case .outcome(let o):
                out.append(symbol("\(o.kind.rawValue) \(o.header.name.text)", o.header.label, 24, o.header.span, o.header.name.span))
            case .param(let p):
                out.append(symbol(p.header.name.text, p.header.label ?? "param", 14, p.header.span, p.header.name.span))
            case .letDecl(let l):
                out.append(symbol(l.header.name.text, l.header.label ?? "let", 13, l.header.span, l.header.name.span))
            case .rule(let r):
                out.append(symbol(r.header.name.text, r.header.label ?? "rule", 12, r.header.span, r.header.name.span))
            case .goal(let g):
                let children = g.targets.map { symbol($0.header.name.text, $0.header.label, 7, $0.header.span, $0.header.name.span) }
                out.append(symbol(g.header.name.text, g.header.label ?? "goal", 5, g.header.span, g.header.name.span, children))
            case .verdicts(let v):
                out.append(symbol("verdicts", nil, 19, v.span, v.span))
            case .report(let r):
                out.append(symbol("report", nil, 19, r.span, r.span))
            case .unit(let u):
                out.append(symbol("unit \"\(u.one)\"", u.other, 19, u.span, u.span))
            case .test(let t):
                out.append(symbol(t.name, "test", 6, t.span, t.nameSpan))
            case .fixture(let f):
                out.append(symbol(f.header.name.text, f.header.label ?? "fixture", 19, f.header.span, f.header.name.span))
            }
        }
        return .array(out)
    }
}
