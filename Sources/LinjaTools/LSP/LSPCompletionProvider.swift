import Foundation
import Linja

/// Completion by context: what may follow the tokens before the cursor.
extension LanguageServer {
    /// What the tokens before the word being typed ask for.
    enum CompletionContext: Equatable {
        case fields
        case outcomes(OutcomeKind?)
        case destinations(outcome: String)
        case enumValues(LType?)
        case places
        case units
        case fixtures
        case rules
        case targets
        case goals
        case statuses
        case verdictLabels
        case fieldNames
        case fieldValue(String)
        case declarationStart
        case clauseStart
        case expression
        case nothing
    }

    /// Words that start top-level declarations.
    static let declarationWords = ["import", "area", "record", "enum", "outcome", "param", "let", "rule", "goal",
                                   "verdicts", "report", "test", "fixture"]
    /// Words that start clauses and block items (contextual words included).
    static let clauseWords = ["when", "unless", "then", "in", "over", "overrides", "from", "until", "source", "assumption",
                              "note", "to", "nothing", "responsible", "municipalities", "group", "column", "values", "default",
                              "measured", "reported", "assessed", "baseline", "level", "for", "target", "near", "prorate",
                              "assessment", "suppress", "sample", "as_of", "period", "client", "actuals", "expect", "examples",
                              "check", "given", "each", "after"]
    /// Words inside expressions.
    static let expressionWords = ["and", "or", "not", "is", "if", "then", "else", "since", "otherwise", "true", "false",
                                  "missing", "present", "as_of", "case", "of", "where", "among", "in", "count", "share",
                                  "average", "median", "sum", "ratio"]
    /// Units a number may carry.
    static let unitWords = ["days", "weeks", "months", "years", "working days", "vrk", "vk", "kk", "v", "arkipäivää", "%", "€", "M€"]

    func completion(_ params: JSONValue?) throws -> JSONValue {
        let doc = try document(params)
        let pos = try position(params)
        let bytes = doc.bytes
        let offset = doc.map.offset(of: pos)
        let lineStart = doc.map.lineRange(pos.line).lowerBound
        guard lineStart <= offset else { return ["isIncomplete": false, "items": []] }

        // Inside a comment or a string (other than a quoted name being typed): nothing.
        var inString = false
        var lastQuote = -1
        var i = lineStart
        while i < offset {
            let b = bytes[i]
            if inString, b == UInt8(ascii: "\\") { i += 2; continue }
            if b == UInt8(ascii: "\"") { inString.toggle(); lastQuote = i }
            if !inString, b == UInt8(ascii: "#") { return ["isIncomplete": false, "items": []] }
            i += 1
        }
        var wordStart = offset
        if inString {
            wordStart = lastQuote
        } else {
            while wordStart > lineStart, Self.isWordByte(bytes[wordStart - 1]) { wordStart -= 1 }
            // `3mo`: the number is context, the letters are the word.
            while wordStart < offset, bytes[wordStart] >= UInt8(ascii: "0"), bytes[wordStart] <= UInt8(ascii: "9") { wordStart += 1 }
        }
        var wordEnd = offset
        if inString, offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") { wordEnd = offset + 1 }
        let typed = String(decoding: bytes[wordStart..<offset], as: UTF8.self)

        let prefix = SourceFile(path: "<completion>", bytes: Array(bytes[0..<wordStart]))
        let tokens = Lexer.lex(prefix).tokens.filter { $0.kind != .eof }
        let index = doc.path.flatMap { workspace.index(ofFile: $0) }
        let context = Self.context(tokens, prefix: prefix, wordStart: wordStart, lineStart: lineStart, index: index)
        let range = doc.map.range(wordStart..<wordEnd)
        let items = completionItems(context, index: index, typed: typed, quoted: inString).map { item -> JSONValue in
            var o: [String: JSONValue] = ["label": .string(item.label), "kind": .int(item.kind),
                                          "sortText": .string(item.sort + item.label),
                                          "textEdit": ["range": range.json, "newText": .string(item.insert)],
                                          "filterText": .string(inString ? item.insert.hasSuffix("\"") ? String(item.insert.dropLast()) : item.insert : item.label)]
            if let d = item.detail { o["detail"] = .string(d) }
            return .object(o)
        }
        return ["isIncomplete": false, "items": .array(items)]
    }

    static func isWordByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_") || b >= 0x80
    }

    static func isWord(_ t: Token?, _ w: String) -> Bool {
        guard let t else { return false }
        if case .keyword(let k) = t.kind { return k.rawValue == w }
        return t.kind == .identifier && t.text == w
    }

    static func isKeyword(_ t: Token?, _ k: Keyword) -> Bool {
        if case .keyword(let x)? = t?.kind { return x == k }
        return false
    }

    /// Reads the context from the tokens before the word.
    static func context(_ t: [Token], prefix: SourceFile, wordStart: Int, lineStart: Int, index: SymbolIndex?) -> CompletionContext {
        let n = t.count
        func at(_ k: Int) -> Token? { n - k >= 0 && k > 0 ? t[n - k] : nil }
        let last = at(1)
        let policy = index?.policy

        // The first token of the word's line, if any stands before the word.
        let onLine = t.filter { $0.start >= lineStart }
        if onLine.isEmpty {
            let indented = wordStart > lineStart
            if indented, let block = openBlock(t), block == "client" || block == "fixture" { return .fieldNames }
            return indented ? .clauseStart : .declarationStart
        }
        guard let last else { return .declarationStart }

        switch last.kind {
        case .dot:
            if let base = at(2), base.kind == .identifier, base.text == (policy?.record?.name ?? "client") { return .fields }
            return .nothing
        case .keyword(let k):
            switch k {
            case .refer, .assess, .eligible, .flag:
                return .outcomes(OutcomeKind(rawValue: k.rawValue))
            case .to:
                if let o = at(2), o.kind == .identifier, isKeyword(at(3), .refer) { return .destinations(outcome: o.text) }
                return .expression
            case .is:
                return isContext(t, isAt: n - 1, policy: policy)
            case .not:
                if isKeyword(at(2), .is) { return isContext(t, isAt: n - 2, policy: policy) }
                if isKeyword(at(2), .expect) { return .outcomes(nil) }
                return .expression
            case .in:
                return .places
            case .overrides:
                return .rules
            case .over:
                return isKeyword(onLine.first, .in) ? .places : .rules
            case .expect:
                return .expression
            case .import, .area, .record, .enum, .outcome, .param, .let, .rule, .goal, .target, .verdicts, .test,
                 .fixture, .report, .unit:
                return .nothing
            case .when, .unless, .then, .from, .until, .nothing, .and, .or, .if, .else, .since, .otherwise, .true,
                 .false, .missing, .present, .as_of, .period_start, .period_end, .case, .of, .where, .among:
                return .expression
            }
        case .identifier:
            if last.text == "like" { return .fixtures }
            if last.text == "target", isKeyword(at(2), .expect) { return .targets }
            if last.text == "goal", isKeyword(at(2), .expect) { return .goals }
            return .expression
        case .number:
            return .units
        case .comma:
            // A list after `in`: more places, or more values in `in {…}`.
            var k = n - 1
            while k >= 1, t[k].kind == .comma, t[k - 1].kind == .identifier || t[k - 1].kind == .string { k -= 2 }
            if k >= 0, isKeyword(t[k], .in) { return .places }
            if k >= 0, t[k].kind == .lbrace, k >= 1, isKeyword(t[k - 1], .in) { return .enumValues(operandType(t, before: k - 1, policy: policy)) }
            if let block = openBlock(t), block == "client" || block == "fixture" { return .fieldNames }
            return .expression
        case .lbrace:
            if isKeyword(at(2), .in) { return .enumValues(operandType(t, before: n - 2, policy: policy)) }
            if let block = openBlock(t), block == "client" || block == "fixture" { return .fieldNames }
            return .nothing
        case .colon:
            if let f = at(2), f.kind == .identifier, let block = openBlock(t), block == "client" || block == "fixture" {
                return .fieldValue(f.text)
            }
            return .nothing
        case .string, .percent, .duration, .money, .date, .period, .rparen, .rbrace, .rbracket:
            return .expression
        case .lparen, .lbracket, .pipe, .question, .arrow, .eq, .eqeq, .neq, .lt, .le, .gt, .ge, .plus, .minus, .star, .slash:
            return .expression
        case .eof, .invalid:
            return .nothing
        }
    }

    /// After `is` / `is not`: statuses in `expect target X is`, verdicts in
    /// `expect goal X is`, else the values of the left operand's type.
    static func isContext(_ t: [Token], isAt i: Int, policy: Policy?) -> CompletionContext {
        if i >= 3, isWord(t[i - 2], "target"), isKeyword(t[i - 3], .expect) { return .statuses }
        if i >= 2, isKeyword(t[i - 2], .target), i >= 3, isKeyword(t[i - 3], .expect) { return .statuses }
        if i >= 3, isKeyword(t[i - 2], .goal) || isWord(t[i - 2], "goal"), isKeyword(t[i - 3], .expect) { return .verdictLabels }
        return .enumValues(operandType(t, before: i, policy: policy))
    }

    /// The type of the operand that ends just before token `i` (`client.status`, a let, a param).
    static func operandType(_ t: [Token], before i: Int, policy: Policy?) -> LType? {
        guard let policy, i >= 1 else { return nil }
        let last = t[i - 1]
        guard last.kind == .identifier else { return nil }
        if i >= 3, t[i - 2].kind == .dot { return policy.record?.field(last.text)?.type }
        return policy.letDef(named: last.text)?.type ?? policy.param(named: last.text)?.type
    }

    /// The word that opened the innermost `{` still open: `client` or `fixture` for field lists.
    static func openBlock(_ t: [Token]) -> String? {
        var depth = 0
        var k = t.count - 1
        while k >= 0 {
            switch t[k].kind {
            case .rbrace: depth += 1
            case .lbrace:
                if depth == 0 {
                    // `client [name] [like x] {` or `fixture name ["label"] [like x] {`
                    var j = k - 1
                    var steps = 0
                    while j >= 0, steps < 5 {
                        if t[j].kind == .identifier, t[j].text == "client", t[j].atLineStart { return "client" }
                        if isKeyword(t[j], .fixture) { return "fixture" }
                        if t[j].atLineStart { return nil }
                        j -= 1
                        steps += 1
                    }
                    return nil
                }
                depth -= 1
            default: break
            }
            k -= 1
        }
        return nil
    }

    struct Item {
        var label: String
        var kind: Int
        var detail: String?
        var insert: String
        var sort: String
    }

    // Completion item kinds: 3 function, 5 field, 6 variable, 7 class, 9 module, 11 unit, 12 value,
    // 13 enum, 14 keyword, 20 enum member, 21 constant, 22 struct, 23 event.
    func completionItems(_ context: CompletionContext, index: SymbolIndex?, typed: String, quoted: Bool) -> [Item] {
        let p = index?.policy
        func name(_ n: String, _ kind: Int, _ detail: String?, sort: String = "1") -> Item {
            Item(label: n, kind: kind, detail: detail, insert: Names.written(n), sort: sort)
        }
        func keywords(_ words: [String], sort: String = "3") -> [Item] {
            words.map { Item(label: $0, kind: 14, detail: nil, insert: $0, sort: sort) }
        }
        func places() -> [Item] {
            guard let p else { return [] }
            return p.municipalities.map { name($0.name, 12, "municipality" + ($0.code.map { " \($0)" } ?? "")) }
                + p.groups.map { name($0.name, 9, "group" + ($0.label.map { ": \($0)" } ?? ""), sort: "0") }
                + p.areas.map { name($0.name, 9, "area" + ($0.label.map { ": \($0)" } ?? ""), sort: "0") }
        }
        func enumValues(_ type: LType?) -> [Item] {
            guard let p else { return [] }
            var ids: [Int] = []
            switch type?.base {
            case .enumeration(let id, _)?, .set(.enumeration(let id, _))?: ids = [id]
            case .municipality?, .group?: return places()
            default: ids = Array(p.enums.indices)
            }
            return ids.filter { $0 < p.enums.count }.flatMap { id in
                zip(p.enums[id].values, p.enums[id].labels).map { name($0, 20, "\(p.enums[id].name)" + ($1.map { ": \($0)" } ?? "")) }
            }
        }
        func valueNames() -> [Item] {
            guard let p else { return keywords(Self.expressionWords) }
            var out: [Item] = []
            out += p.params.map { name($0.name, 21, "param: \(Self.typeText($0.type))" + ($0.label.map { " — \($0)" } ?? "")) }
            out += p.lets.map { name($0.name, 6, "let: \(Self.typeText($0.type))" + ($0.label.map { " — \($0)" } ?? "")) }
            if let r = p.record { out.append(name(r.name, 22, "record" + (r.label.map { ": \($0)" } ?? ""))) }
            out += places()
            out += enumValues(nil).map { var i = $0; i.sort = "2"; return i }
            out += Builtin.allCases.map {
                Item(label: $0.rawValue, kind: 3, detail: "\($0.rawValue)(\($0.signature.parameters)) → \($0.signature.result)",
                     insert: $0.rawValue, sort: "2")
            }
            return out + keywords(Self.expressionWords)
        }
        switch context {
        case .nothing:
            return []
        case .fields:
            return p?.record?.fields.map { name($0.name, 5, Self.typeText($0.type) + ($0.label.map { " — \($0)" } ?? "")) } ?? []
        case .outcomes(let kind):
            let os = (p?.outcomes ?? []).filter { kind == nil || $0.kind == kind }
            return os.map { o in
                Item(label: o.name, kind: 23, detail: "\(o.kind.rawValue) \(o.name)" + (o.label.map { " — \($0)" } ?? ""),
                     insert: kind == nil ? "\(o.kind.rawValue) \(o.name)" : o.name, sort: "1")
            }
        case .destinations(let outcome):
            guard let o = p?.outcome(named: outcome) else { return [] }
            return zip(o.destinations, o.destinationLabels).map { name($0, 12, $1 ?? "destination of \(o.display)") }
        case .enumValues(let type):
            var out = enumValues(type)
            if type == nil || type?.isOptional == true { out += keywords(["missing", "present"]) }
            if type == nil { out += keywords(["not"]) }
            return out
        case .places:
            return places()
        case .units:
            return Self.unitWords.map { Item(label: $0, kind: 11, detail: nil, insert: $0, sort: "1") }
        case .fixtures:
            return p?.fixtures.map { name($0.name, 7, $0.label ?? "fixture") } ?? []
        case .rules:
            return p?.rules.map { name($0.name, 3, $0.label ?? "rule") } ?? []
        case .targets:
            return p?.targets.map { name($0.name, 12, $0.label ?? "target") } ?? []
        case .goals:
            return p?.goals.map { name($0.name, 12, $0.label ?? "goal") } ?? []
        case .statuses:
            return TargetStatus.allCases.map { Item(label: $0.rawValue, kind: 20, detail: "target status", insert: $0.rawValue, sort: "1") }
        case .verdictLabels:
            let labels = (p?.verdicts?.goalRules ?? []).compactMap(\.label)
            return labels.map { Item(label: "\"\($0)\"", kind: 12, detail: "goal verdict", insert: "\"\($0)\"", sort: "1") }
                + [Item(label: "none", kind: 14, detail: "no verdict", insert: "none", sort: "2")]
        case .fieldNames:
            return (p?.record?.fields ?? []).map {
                Item(label: $0.name, kind: 5, detail: Self.typeText($0.type), insert: $0.name + ": ", sort: "1")
            }
        case .fieldValue(let field):
            guard let f = p?.record?.field(field) else { return valueNames() }
            var out: [Item] = []
            switch f.type.base {
            case .bool: out = keywords(["true", "false"], sort: "1")
            case .municipality: out = places().filter { $0.kind == 12 }
            case .enumeration: out = enumValues(f.type)
            case .int, .decimal, .text, .date, .percent, .money, .duration, .span, .group, .set, .optional, .period, .error:
                out = []
            }
            if f.type.isOptional { out += keywords(["missing"]) }
            return out
        case .declarationStart:
            return keywords(Self.declarationWords, sort: "1")
        case .clauseStart:
            return keywords(Self.clauseWords, sort: "1") + valueNames()
        case .expression:
            return valueNames()
        }
    }
}
