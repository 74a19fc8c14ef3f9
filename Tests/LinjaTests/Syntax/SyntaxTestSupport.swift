import Testing
@testable import Linja

/// Helpers shared by the lexer and parser tests: sources from strings,
/// positions as `line:column`, and expressions as S-expressions so that a
/// table row can say what tree it expects in one readable string.
enum SyntaxTesting {
    static func file(_ text: String) -> SourceFile { SourceFile(path: "test.linja", text: text) }
    static func file(bytes: [UInt8]) -> SourceFile { SourceFile(path: "test.linja", bytes: bytes) }

    static func lex(_ text: String) -> LexResult { Lexer.lex(file(text)) }

    /// The tokens of `text` without the final end of file.
    static func tokens(_ text: String) -> [Token] { Array(lex(text).tokens.dropLast()) }

    static func parse(_ text: String) -> PolicyFile { Parser.parse(file(text)) }

    /// One expression, and the diagnostics its parse gave.
    static func expression(_ text: String) -> (Expr?, [Diagnostic]) { Parser.parseExpression(file(text)) }

    /// `line:column` of a diagnostic, as people read it.
    static func position(_ d: Diagnostic) -> String {
        guard let l = d.location else { return "?" }
        return "\(l.line):\(l.column)"
    }

    /// `L201@3:25` for each diagnostic, in the order given.
    static func summary(_ ds: [Diagnostic]) -> [String] { ds.map { "\($0.code.rawValue)@\(position($0))" } }

    /// An expression as an S-expression: `(or a (and b c))`.
    static func sexpr(_ e: Expr) -> String {
        switch e.kind {
        case .bool(let b): return b ? "true" : "false"
        case .number(let t): return t
        case .percent(let t): return "\(t)%"
        case .money(let t): return "\(t)€"
        case .duration(let t, let u): return "\(t)\(u == .workingDays ? "workingdays" : u.rawValue)"
        case .date(let t): return t
        case .period(let t): return "period:\(t)"
        case .text(let t): return "\"\(t)\""
        case .name(let n): return n
        case .asOf: return "as_of"
        case .periodStart: return "period_start"
        case .periodEnd: return "period_end"
        case .missing: return "missing"
        case .member(let base, let n): return "\(sexpr(base)).\(n.text)"
        case .unary(let op, let a): return "(\(op == .not ? "not" : "neg") \(sexpr(a)))"
        case .binary(let op, let a, let b): return "(\(op.rawValue) \(sexpr(a)) \(sexpr(b)))"
        case .isMissing(let a, let negated): return "(\(negated ? "is-present" : "is-missing") \(sexpr(a)))"
        case .isValue(let a, let b, let negated): return "(\(negated ? "is-not" : "is") \(sexpr(a)) \(sexpr(b)))"
        case .membership(let a, let b, let negated): return "(\(negated ? "not-in" : "in") \(sexpr(a)) \(sexpr(b)))"
        case .since(let a): return "(since \(sexpr(a)))"
        case .call(let n, let args): return "(call \(n.text)\(args.map { " " + sexpr($0) }.joined()))"
        case .ifElse(let c, let a, let b): return "(if \(sexpr(c)) \(sexpr(a)) \(sexpr(b)))"
        case .caseOf(let s, let arms, let otherwise):
            var out = "(case \(sexpr(s))"
            for arm in arms { out += " ((\(arm.values.map(sexpr).joined(separator: " "))) => \(sexpr(arm.result)))" }
            if let o = otherwise { out += " (else => \(sexpr(o)))" }
            return out + ")"
        case .set(let items): return "{\(items.map(sexpr).joined(separator: " "))}"
        case .aggregate(let a):
            var out = "(\(a.kind.rawValue)"
            if let p = a.population, a.kind == .count || a.kind == .share { out += " \(p.text)" }
            if let v = a.value { out += " \(sexpr(v)) over \(a.population?.text ?? "?")" }
            if let f = a.filter { out += " where \(sexpr(f))" }
            if let m = a.among { out += " among \(sexpr(m))" }
            if !a.ratio.isEmpty { out += " " + a.ratio.map(sexpr).joined(separator: " ") }
            return out + ")"
        case .error: return "<error>"
        }
    }

    /// The S-expression of `text` parsed as one expression; records an issue
    /// (and returns the diagnostics' codes) when it does not parse cleanly.
    static func sexpr(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> String {
        let (e, ds) = expression(text)
        guard let e, ds.isEmpty else {
            Issue.record("`\(text)` did not parse: \(summary(ds))", sourceLocation: sourceLocation)
            return "<no parse>"
        }
        return sexpr(e)
    }
}

/// A small deterministic generator (SplitMix64), so random inputs are the
/// same on every run and a failure can be reproduced from its seed.
typealias SeededGenerator = SplitMix64
