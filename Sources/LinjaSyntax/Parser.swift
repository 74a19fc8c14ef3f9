import Foundation
import LinjaBase

/// Thrown inside the parser to unwind to the nearest recovery point (a
/// block item or a declaration); the error itself is already recorded.
struct ParseAbort: Error {}

/// A hand-written recursive-descent parser following `grammar/linja.ebnf`
/// production by production. It records every error, recovers at item and
/// declaration boundaries, and never crashes: nesting is capped and every
/// loop makes progress.
public struct Parser {
    /// Deepest nesting of expressions and blocks before the parser reports
    /// `nesting-too-deep` instead of recursing further.
    public static let maxDepth = 128

    let file: SourceFile
    var tokens: [Token]
    let comments: [Comment]
    var pos = 0
    var depth = 0
    /// How much of `depth` comes from operator chains (`a or b or c`).
    var chainLevels = 0
    var diagnostics: [Diagnostic]
    /// Spans of unclosed braces, to say where a block opened.
    var openBlocks: [(what: String, span: Span)] = []

    public init(file: SourceFile) {
        self.file = file
        let lexed = Lexer.lex(file)
        self.tokens = lexed.tokens
        self.comments = lexed.comments
        self.diagnostics = lexed.diagnostics
    }

    /// Lexes and parses one file.
    public static func parse(_ file: SourceFile) -> PolicyFile {
        var p = Parser(file: file)
        let decls = p.parseFile()
        return PolicyFile(file: file, declarations: decls, comments: p.comments, diagnostics: p.diagnostics)
    }

    /// Parses a single expression (the REPL's input); diagnostics on failure.
    public static func parseExpression(_ file: SourceFile) -> (Expr?, [Diagnostic]) {
        var p = Parser(file: file)
        do {
            let e = try p.parseExpr()
            if !p.at(.eof) {
                p.error(.expectedToken, "expected the end of the expression, found \(p.current.describe)", p.currentSpan)
                return (nil, p.diagnostics)
            }
            return (e, p.diagnostics)
        } catch {
            return (nil, p.diagnostics)
        }
    }

    // MARK: Token stream

    var current: Token { tokens[pos] }
    func peek(_ k: Int) -> Token { tokens[min(pos + k, tokens.count - 1)] }
    var currentSpan: Span { span(current) }
    var previousEnd: Int { pos > 0 ? tokens[pos - 1].end : 0 }

    func span(_ t: Token) -> Span { Span(file: file, start: t.start, end: t.end) }
    func span(from start: Int) -> Span { Span(file: file, start: start, end: max(start, previousEnd)) }

    @discardableResult
    mutating func advance() -> Token {
        let t = tokens[pos]
        if pos < tokens.count - 1 { pos += 1 }
        return t
    }

    func at(_ k: TokenKind) -> Bool { current.kind == k }
    func at(_ k: Keyword) -> Bool { current.kind == .keyword(k) }
    /// A contextual keyword: an identifier with this text.
    func atWord(_ w: String) -> Bool { current.kind == .identifier && current.text == w }
    func atWord(_ w: String, offset: Int) -> Bool { peek(offset).kind == .identifier && peek(offset).text == w }

    mutating func accept(_ k: TokenKind) -> Bool {
        if at(k) { advance(); return true }
        return false
    }
    mutating func accept(_ k: Keyword) -> Bool {
        if at(k) { advance(); return true }
        return false
    }
    mutating func acceptWord(_ w: String) -> Bool {
        if atWord(w) { advance(); return true }
        return false
    }

    mutating func error(_ code: DiagnosticCode, _ message: String, _ span: Span,
                        notes: [DiagnosticNote] = [], help: String? = nil) {
        diagnostics.append(Diagnostic(code, message, at: span, notes: notes, help: help))
    }

    /// The span to blame when something expected is missing: the token
    /// found, or just after the previous token when that is on an earlier line
    /// (a cut-off declaration is reported where it ends).
    var missingSpan: Span {
        if current.isEOF, pos > 0 {
            return Span(file: file, start: previousEnd, end: previousEnd)
        }
        // A declaration cut short, with the next one starting on a new line:
        // blame the end of what was there.
        // (Inside a block, a declaration keyword is more likely a stray line
        // or a missing `}`: it is blamed where it stands.)
        if openBlocks.isEmpty, current.atLineStart, case .keyword(let k) = current.kind, k.startsDeclaration, pos > 0 {
            return Span(file: file, start: previousEnd, end: previousEnd)
        }
        return currentSpan
    }

    /// Reports "expected X after Y, found Z" and aborts to the recovery point.
    mutating func fail(_ what: String, after: String? = nil, help: String? = nil) -> ParseAbort {
        var msg = "expected \(what)"
        if let a = after { msg += " after \(a)" }
        msg += ", found \(current.describe)"
        var notes: [DiagnosticNote] = []
        if current.isEOF, let open = openBlocks.last {
            notes.append(DiagnosticNote("\(open.what) opened here", at: open.span))
        }
        if current.kind == .invalid {
            // The lexer already explained the bad token.
            return ParseAbort()
        }
        error(.expectedToken, msg, missingSpan, notes: notes, help: help)
        return ParseAbort()
    }

    mutating func expect(_ k: TokenKind, _ what: String? = nil, after: String? = nil, help: String? = nil) throws -> Token {
        if at(k) { return advance() }
        throw fail(what ?? k.describe, after: after, help: help)
    }

    mutating func expect(_ k: Keyword, after: String? = nil, help: String? = nil) throws -> Token {
        if at(k) { return advance() }
        throw fail("`\(k.rawValue)`", after: after, help: help)
    }

    mutating func expectWord(_ w: String, after: String? = nil) throws {
        if acceptWord(w) { return }
        throw fail("`\(w)`", after: after)
    }

    /// An identifier (not a keyword).
    mutating func expectIdentifier(_ what: String, after: String? = nil) throws -> Name {
        if at(.identifier) {
            let t = advance()
            return Name(t.text, span: span(t))
        }
        if case .keyword(let k) = current.kind {
            let msg = "expected \(what)" + (after.map { " after \($0)" } ?? "") + ", found the reserved word `\(k.rawValue)`"
            error(.expectedToken, msg, currentSpan, help: "reserved words cannot be names; choose another name or quote it")
            throw ParseAbort()
        }
        throw fail(what, after: after)
    }

    /// name          = IDENT | STRING ;                         (* "Mänttä-Vilppula" *)
    ///
    /// A name that may be quoted: `Keuruu` or `"Mänttä-Vilppula"`.
    mutating func expectName(_ what: String, after: String? = nil) throws -> Name {
        if at(.string) {
            let t = advance()
            return Name(t.text.precomposedNFC, span: span(t), quoted: true)
        }
        return try expectIdentifier(what, after: after)
    }

    mutating func optionalLabel() -> String? {
        if at(.string) { return advance().text }
        return nil
    }

    mutating func enter(_ span: Span) throws {
        depth += 1
        if depth > Parser.maxDepth {
            if chainLevels > Parser.maxDepth / 2 { throw tooManyOperators(span) }
            error(.nestingTooDeep, "nesting is deeper than \(Parser.maxDepth) levels", span,
                  help: "split the expression into named `let`s")
            throw ParseAbort()
        }
    }
    mutating func leave() { depth -= 1 }

    mutating func tooManyOperators(_ span: Span) -> ParseAbort {
        error(.nestingTooDeep, "this expression has too many operators in a row (the tree is deeper than \(Parser.maxDepth) levels)", span,
              help: "split it into named `let`s, e.g. one let per group of conditions")
        return ParseAbort()
    }

    /// One more operator in a chain: also a level of the tree.
    mutating func enterChain(_ span: Span) throws {
        depth += 1
        chainLevels += 1
        if depth > Parser.maxDepth { throw tooManyOperators(span) }
    }
    mutating func leaveChain() {
        depth -= 1
        chainLevels -= 1
    }

    /// Doc comments (`##`) on their own lines right before the token at
    /// `offset`: those in the block of comment lines directly above it (a
    /// blank line between a `##` line and the declaration detaches it: it is
    /// then an ordinary comment).
    func docComments(before offset: Int) -> [String] {
        var out: [String] = []
        let lowerBound = pos > 0 ? tokens[pos - 1].end : 0
        // Comments are in file order: find the first at or after `lowerBound` by bisection.
        var lo = 0, hi = comments.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if comments[mid].start < lowerBound { lo = mid + 1 } else { hi = mid }
        }
        var next = offset
        var k = lo
        while k < comments.count, comments[k].end <= offset { k += 1 }
        // Walk up from the declaration through the comments right above it.
        while k > lo {
            let c = comments[k - 1]
            guard c.ownLine, !blankLine(between: c.end, and: next) else { break }
            if c.isDoc {
                var t = c.text.dropFirst(2)
                if t.first == " " { t = t.dropFirst() }
                out.append(String(t))
            }
            next = c.start
            k -= 1
        }
        return out.reversed()
    }

    /// Whether the source between two offsets holds an empty line (two line breaks).
    func blankLine(between from: Int, and to: Int) -> Bool {
        var newlines = 0
        var i = max(0, from)
        let bytes = file.bytes
        while i < min(to, bytes.count) {
            if bytes[i] == UInt8(ascii: "\n") {
                newlines += 1
                if newlines >= 2 { return true }
            }
            i += 1
        }
        return false
    }

    // MARK: File and recovery

    /// policy_file   = { declaration } EOF ;
    mutating func parseFile() -> [Declaration] {
        var decls: [Declaration] = []
        var recovering = false
        while !current.isEOF {
            let before = pos
            if case .keyword(let k) = current.kind, k.startsDeclaration {
                do {
                    decls.append(try parseDeclaration(k))
                    recovering = false
                } catch {
                    synchronize()
                    recovering = true
                }
            } else if recovering, at(.rbrace) {
                advance()
            } else {
                if current.kind != .invalid {
                    let help: String?
                    if case .keyword(.target) = current.kind {
                        help = "a target belongs inside a `goal { … }`"
                    } else if current.kind == .identifier, let s = Suggest.closest(current.text, among: Keyword.allCases.filter(\.startsDeclaration).map(\.rawValue)) {
                        help = "did you mean `\(s)`?"
                    } else {
                        help = "a declaration starts with `rule`, `let`, `param`, `outcome`, `record`, `area`, `goal`, `test`, …"
                    }
                    error(.expectedToken, "expected a declaration, found \(current.describe)", currentSpan, help: help)
                }
                synchronize()
                recovering = true
            }
            if pos == before { advance() }
        }
        return decls
    }

    /// Skips to the next token that starts a declaration at the start of a line.
    mutating func synchronize() {
        openBlocks.removeAll()
        depth = 0
        chainLevels = 0
        // The error may have been found at the next declaration's first
        // token: then that declaration is where to resume, not to skip.
        if case .keyword(let k) = current.kind, k.startsDeclaration, current.atLineStart, pos > 0 { return }
        if !current.isEOF { advance() }
        while !current.isEOF {
            if case .keyword(let k) = current.kind, k.startsDeclaration, current.atLineStart { return }
            advance()
        }
    }

    /// declaration   = { DOC_COMMENT }
    ///                 ( import_decl | area_decl | record_decl | enum_decl | outcome_decl
    ///                 | param_decl | let_decl | rule_decl | goal_decl | verdicts_decl
    ///                 | report_decl | unit_decl | test_decl | fixture_decl ) ;
    mutating func parseDeclaration(_ k: Keyword) throws -> Declaration {
        let doc = docComments(before: current.start)
        switch k {
        case .import: return .importDecl(try parseImport(doc))
        case .area: return .area(try parseArea(doc))
        case .record: return .record(try parseRecord(doc))
        case .enum: return .enumDecl(try parseEnum(doc))
        case .outcome: return .outcome(try parseOutcome(doc))
        case .param: return .param(try parseParam(doc))
        case .let: return .letDecl(try parseLet(doc))
        case .rule: return .rule(try parseRule(doc))
        case .goal: return .goal(try parseGoal(doc))
        case .verdicts: return .verdicts(try parseVerdicts(doc))
        case .report: return .report(try parseReport(doc))
        case .unit: return .unit(try parseUnit(doc))
        case .test: return .test(try parseTest(doc))
        case .fixture: return .fixture(try parseFixture(doc))
        case .target, .when, .unless, .then, .in, .over, .overrides, .from, .until, .to, .nothing,
             .refer, .assess, .eligible, .flag, .and, .or, .not, .is, .if, .else, .since, .otherwise,
             .true, .false, .missing, .present, .as_of, .period_start, .period_end, .case, .of, .where, .among, .expect:
            throw fail("a declaration")
        }
    }

    /// A `{ … }` block whose items each recover on their own: an error in one
    /// item skips to the next line that can start an item, or to the `}`.
    mutating func parseBlock(_ what: String, after: String, items: Set<Keyword> = [],
                             item: (inout Parser) throws -> Void) throws -> Span {
        let open = try expect(.lbrace, after: after)
        try enter(span(open))
        defer { leave() }
        openBlocks.append((what: "`{` of \(what)", span: span(open)))
        defer { openBlocks.removeLast() }
        while !at(.rbrace) {
            if current.isEOF {
                error(.unclosedDelimiter, "expected `}` to close \(what)", missingSpan,
                      notes: [DiagnosticNote("the block opened here", at: span(open))])
                throw ParseAbort()
            }
            if case .keyword(let k) = current.kind, k.startsDeclaration, current.atLineStart, !items.contains(k) {
                error(.unclosedDelimiter, "expected `}` to close \(what) before the next declaration", currentSpan,
                      notes: [DiagnosticNote("the block opened here", at: span(open))])
                throw ParseAbort()
            }
            let before = pos
            do {
                try item(&self)
            } catch {
                skipToNextItem()
            }
            if pos == before { advance() }
        }
        let close = advance()
        return Span(file: file, start: open.start, end: close.end)
    }

    /// Recovery inside a block: skip to a token at the start of a line
    /// (at the block's own brace depth), or to the closing brace.
    mutating func skipToNextItem() {
        var nesting = 0
        if !current.isEOF, !at(.rbrace) { advance() }
        while !current.isEOF {
            if at(.lbrace) { nesting += 1 }
            if at(.rbrace) {
                if nesting == 0 { return }
                nesting -= 1
            } else if nesting == 0, current.atLineStart, !at(.pipe) {
                // (A line starting with `|` is a table row: part of the broken item.)
                return
            }
            advance()
        }
    }

    /// attribute     = ( "source" | "assumption" | "note" ) STRING ;
    mutating func parseAttribute() -> Attribute? {
        guard current.kind == .identifier, let kind = AttributeKind(rawValue: current.text),
              peek(1).kind == .string else { return nil }
        let s = advance()
        let t = advance()
        return Attribute(kind: kind, text: t.text, span: Span(file: file, start: s.start, end: t.end))
    }

    var atAttribute: Bool {
        current.kind == .identifier && AttributeKind(rawValue: current.text) != nil && peek(1).kind == .string
    }
}
