import Foundation
@testable import Linja
@testable import LinjaSyntax
import Testing
@testable import LinjaTools

/// One behaviour of the formatter each.
struct FormatterBehaviourTests {
    private func formatted(_ text: String) -> String? {
        if case .success(let s) = FormatSupport.format(text) { return s }
        return nil
    }

    @Test func fileWithSyntaxErrorsIsRefusedWithItsDiagnostics() throws {
        let result = FormatSupport.format("rule r when a and\nparam x = \"open\n")
        guard case .failure(let ds) = result else {
            Issue.record("a broken file was formatted")
            return
        }
        #expect(!ds.isEmpty)
        #expect(ds.allSatisfy { $0.severity == .error })
        #expect(ds.contains { $0.code == .unterminatedString })
    }

    @Test func emptyFileStaysEmpty() {
        #expect(formatted("") == "")
        #expect(formatted("\n\n  \n") == "")
    }

    @Test func fileOfCommentsKeepsThemWithOneBlankLineAtMost() {
        #expect(formatted("# a   \n\n\n\n# b\n   # c") == "# a\n\n# b\n# c\n")
    }

    @Test func carriageReturnsAndByteOrderMarkAreDropped() {
        let text = "\u{FEFF}param a = 1\r\nparam b = 2\r\n"
        #expect(formatted(text) == "param a = 1\nparam b = 2\n")
    }

    @Test func blankLineSeparatesDeclarationsOfDifferentKinds() {
        #expect(formatted("param a = 1\nlet b = a\nrule r then nothing\nrule s then nothing")
            == "param a = 1\n\nlet b = a\n\nrule r\n  then nothing\n\nrule s\n  then nothing\n")
    }

    @Test func stringsAreReEscaped() throws {
        let label = "say \"hi\" \\ back\tslash\nnew \u{1}"
        let text = "outcome flag x \(Layout.quote(label))\n"
        let out = try #require(formatted(text))
        #expect(out == "outcome flag x \"say \\\"hi\\\" \\\\ back\\tslash\\nnew \\u{1}\"\n")
        guard case .outcome(let o)? = FormatSupport.declarations(out).first else {
            Issue.record("no outcome")
            return
        }
        #expect(o.header.label == label)
    }

    @Test func quotedNamesStayQuotedAndBareNamesBare() throws {
        let out = try #require(formatted("rule r in \"Mänttä-Vilppula\" , Keuruu , \"Jämsä\" then nothing"))
        #expect(out.contains("in \"Mänttä-Vilppula\", Keuruu, \"Jämsä\""))
    }

    @Test(arguments: [
        ("(a or b) and c", "(a or b) and c"),
        ("((a))", "a"),
        ("(a and b) or c", "a and b or c"),
        ("a and (b or c)", "a and (b or c)"),
        ("a or (b or c)", "a or (b or c)"),
        ("(a - b) - c", "a - b - c"),
        ("a - (b - c)", "a - (b - c)"),
        ("a * (b + c)", "a * (b + c)"),
        ("(a * b) + c", "a * b + c"),
        ("not (a = b)", "not a = b"),
        ("(not a) = b", "(not a) = b"),
        ("not (a and b)", "not (a and b)"),
        ("-(a + b)", "-(a + b)"),
        ("(-a).b", "(-a).b"),
        ("(since a).days", "(since a).days"),
        ("since (a otherwise b)", "since (a otherwise b)"),
        ("(a = b) = c", "(a = b) = c"),
        ("a = (b = c)", "a = (b = c)"),
        ("(a otherwise b) > c", "(a otherwise b) > c"),
        ("a otherwise (b > c)", "a otherwise b > c"),
        ("(if a then b else c) + 1", "(if a then b else c) + 1"),
        ("x is (missing)", "x is (missing)"),
        ("x is not present", "x is missing"),
        ("a == b", "a = b"),
        ("a <> b", "a != b"),
        ("a ≤ b", "a <= b"),
        ("{a,b , c}", "{a, b, c}"),
        ("f( a ,b )", "f(a, b)"),
    ])
    func parenthesesAreExactlyTheNeededOnes(_ input: String, _ expected: String) throws {
        let out = try #require(formatted("let x = " + input))
        #expect(out == "let x = " + expected + "\n")
    }

    @Test func randomExpressionTreesReadBackTheSame() throws {
        var rng = SeededRandom(seed: 9)
        for i in 0..<400 {
            let e = RandomExpr.make(depth: 4, rng: &rng)
            let decl = Declaration.letDecl(LetDecl(
                header: DeclHeader(doc: [], name: Name("x\(i)"), label: nil, attributes: [], span: .none),
                value: e, overrides: false))
            let text = Formatter.layOut(declarations: [decl])
            let parsed = Parser.parse(SourceFile(path: "r.linja", text: text))
            #expect(parsed.diagnostics.isEmpty, "\(text)")
            #expect(parsed.declarations == [decl], "\(text)")
            #expect(formatted(text) == text, "\(text)")
        }
    }

    @Test func longLinesBreakAtAndAlignedUnderTheFirstOperand() throws {
        let cond = (1...8).map { "client.condition_number_\($0)" }.joined(separator: " and ")
        let out = try #require(formatted("rule r when \(cond) then nothing"))
        let lines = out.split(separator: "\n")
        #expect(lines.count == 10)
        #expect(lines[1] == "  when client.condition_number_1")
        #expect(lines[2] == "       and client.condition_number_2")
        #expect(lines.allSatisfy { $0.count <= Formatter.width })
    }

    @Test func lineWidthCountsCharactersNotBytes() throws {
        // 100 characters, many of them two bytes in UTF-8: stays on one line.
        let name = String(repeating: "ä", count: 100 - "let x = ".count - 2)
        let text = "let x = \"\(name)\"\n"
        #expect(text.count == 101)
        #expect(formatted(text) == text)
    }

    @Test func checkTextBecomesABlockOneLevelDeeperThanCheck() throws {
        let text = "test \"t\" {\ncheck \"\"\"\n        rule r\n\n          then nothing\n    \"\"\"\n}\n"
        let out = try #require(formatted(text))
        #expect(out == "test \"t\" {\n  check \"\"\"\n    rule r\n\n      then nothing\n    \"\"\"\n}\n")
    }

    @Test func checkTextThatCannotBeABlockStaysAString() throws {
        let text = "test \"t\" {\n  check \"  indented \\\"\\\"\\\" quotes\"\n}\n"
        #expect(formatted(text) == text)
    }

    /// Comments put between any two tokens (where the file still reads the
    /// same) are all kept, once, and formatting is stable.
    @Test func commentsAnywhereAreKeptOnceAndFormattingIsStable() throws {
        let paths = FormatSupport.linjaFiles(under: FormatSupport.rulesDirectory)
            + FormatSupport.linjaFiles(under: FormatSupport.goldenDirectory)
        var rng = SeededRandom(seed: 42)
        var tried = 0
        for path in paths {
            let text = try #require(FormatSupport.read(path))
            let original = Parser.parse(SourceFile(path: path, text: text))
            let lexed = Lexer.lex(SourceFile(path: path, text: text)).tokens.filter { !$0.isEOF }
            guard !lexed.isEmpty else { continue }
            let bytes = Array(text.utf8)
            for round in 0..<6 {
                // Three comments after random tokens: some on their own line, some trailing.
                var cuts = (0..<Int.random(in: 1...5, using: &rng)).map { _ in lexed[Int.random(in: 0..<lexed.count, using: &rng)].end }
                cuts.sort(by: >)
                var mutated = bytes
                for (k, cut) in cuts.enumerated() {
                    let comment: String
                    switch Int.random(in: 0..<5, using: &rng) {
                    case 0, 1: comment = "\n# own \(round)-\(k)\n"
                    case 2: comment = "\n\n# own after a blank line \(round)-\(k)\n\n"
                    default: comment = " # trailing \(round)-\(k)\n"
                    }
                    mutated.insert(contentsOf: Array(comment.utf8), at: cut)
                }
                let mutatedText = String(decoding: mutated, as: UTF8.self)
                let reparsed = Parser.parse(SourceFile(path: path, text: mutatedText))
                // Only placements where a line break is allowed.
                guard reparsed.diagnostics.isEmpty, reparsed.declarations == original.declarations else { continue }
                tried += 1
                guard case .success(let out) = FormatSupport.format(mutatedText, path: path) else {
                    Issue.record("\(path) with comments did not format:\n\(mutatedText)")
                    continue
                }
                let problems = FormatSupport.problems(original: mutatedText, formatted: out)
                #expect(problems == [], "\(path):\n\(mutatedText)\n---\n\(out)")
            }
        }
        #expect(tried > 50)
    }
}

extension FormatterBehaviourTests {
    /// Spaces and single line breaks between tokens (where the file still
    /// reads the same) do not change the formatted text: only the tree,
    /// the comments and the blank lines do.
    @Test func layoutDoesNotDependOnTheSourcesSpacesAndLineBreaks() throws {
        let paths = FormatSupport.linjaFiles(under: FormatSupport.rulesDirectory)
            + FormatSupport.linjaFiles(under: FormatSupport.goldenDirectory)
        var rng = SeededRandom(seed: 7)
        var tried = 0
        for path in paths {
            let text = try #require(FormatSupport.read(path))
            guard case .success(let canonical) = FormatSupport.format(text, path: path) else { continue }
            let original = Parser.parse(SourceFile(path: path, text: text))
            let lexed = Lexer.lex(SourceFile(path: path, text: text)).tokens.filter { !$0.isEOF }
            let bytes = Array(text.utf8)
            for _ in 0..<4 {
                var mutated = bytes
                // Gaps from the end backwards, so earlier offsets stay valid.
                for k in stride(from: lexed.count - 2, through: 0, by: -1) where Int.random(in: 0..<3, using: &rng) == 0 {
                    let gap = Array(bytes[lexed[k].end..<lexed[k + 1].start])
                    let newlines = gap.filter { $0 == UInt8(ascii: "\n") }.count
                    guard !gap.contains(UInt8(ascii: "#")), newlines <= 1, !gap.isEmpty || Bool.random(using: &rng) else { continue }
                    let replacement = Array((Bool.random(using: &rng) ? " " : "\n   ").utf8)
                    mutated.replaceSubrange(lexed[k].end..<lexed[k + 1].start, with: replacement)
                }
                let mutatedText = String(decoding: mutated, as: UTF8.self)
                let reparsed = Parser.parse(SourceFile(path: path, text: mutatedText))
                guard reparsed.diagnostics.isEmpty, reparsed.declarations == original.declarations,
                      reparsed.comments.map(\.ownLine) == original.comments.map(\.ownLine) else { continue }
                tried += 1
                let out = FormatSupport.format(mutatedText, path: path)
                #expect(out == .success(canonical), "\(path):\n\(mutatedText)")
            }
        }
        #expect(tried > 20)
    }
}

/// Random expression trees, for checking that printing and parsing agree.
enum RandomExpr {
    static func make(depth: Int, rng: inout SeededRandom) -> Expr {
        func e(_ k: Expr.Kind) -> Expr { Expr(k, .none) }
        let names = ["a", "b", "client", "young"]
        if depth == 0 || Int.random(in: 0..<4, using: &rng) == 0 {
            switch Int.random(in: 0..<9, using: &rng) {
            case 0: return e(.number(["3", "0.5", "12"][Int.random(in: 0..<3, using: &rng)]))
            case 1: return e(.percent("75"))
            case 2: return e(.duration("3", .months))
            case 3: return e(.money("100"))
            case 4: return e(.date("2026-05-01"))
            case 5: return e(.text("Mänttä \"V\""))
            case 6: return e(.bool(Bool.random(using: &rng)))
            case 7: return e(.asOf)
            default: return e(.name(names[Int.random(in: 0..<names.count, using: &rng)]))
            }
        }
        let sub = { (rng: inout SeededRandom) in make(depth: depth - 1, rng: &rng) }
        switch Int.random(in: 0..<14, using: &rng) {
        case 0, 1, 2:
            let ops = BinaryOp.allCases
            return e(.binary(ops[Int.random(in: 0..<ops.count, using: &rng)], sub(&rng), sub(&rng)))
        case 3: return e(.unary(.not, sub(&rng)))
        case 4: return e(.unary(.negate, sub(&rng)))
        case 5: return e(.isMissing(sub(&rng), negated: Bool.random(using: &rng)))
        case 6: return e(.isValue(sub(&rng), sub(&rng), negated: Bool.random(using: &rng)))
        case 7: return e(.membership(sub(&rng), sub(&rng), negated: Bool.random(using: &rng)))
        case 8: return e(.since(sub(&rng)))
        case 9: return e(.member(sub(&rng), Name("field")))
        case 10: return e(.call(Name("max"), [sub(&rng), sub(&rng)]))
        case 11: return e(.ifElse(sub(&rng), sub(&rng), sub(&rng)))
        case 12:
            let arm = CaseArm(values: [sub(&rng)], result: sub(&rng), span: .none)
            return e(.caseOf(sub(&rng), [arm], otherwise: Bool.random(using: &rng) ? sub(&rng) : nil))
        default: return e(.set([sub(&rng), sub(&rng)]))
        }
    }
}
