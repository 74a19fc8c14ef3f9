import Foundation
import Linja
import Testing

/// The TextMate grammar in editors/vscode-linja: valid JSON whose regular
/// expressions compile, whose keyword patterns cover every reserved word of
/// the lexer, and whose literal patterns match Linja's literals with units.
struct TextMateGrammarTests {
    static let editorDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("editors/vscode-linja")

    private func json(_ relative: String) throws -> [String: Any] {
        let data = try Data(contentsOf: Self.editorDirectory.appendingPathComponent(relative))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private func grammar() throws -> [String: Any] {
        try json("syntaxes/linja.tmLanguage.json")
    }

    /// The `match` regexes of one repository entry, with their scope names.
    private func patterns(_ entry: String) throws -> [(name: String, regex: NSRegularExpression)] {
        let repository = try #require(try grammar()["repository"] as? [String: Any])
        let item = try #require(repository[entry] as? [String: Any], "no repository entry \(entry)")
        let list = try #require(item["patterns"] as? [[String: Any]])
        return try list.compactMap { p in
            guard let match = p["match"] as? String else { return nil }
            return ((p["name"] as? String) ?? "", try NSRegularExpression(pattern: match, options: [.anchorsMatchLines]))
        }
    }

    /// Whether some pattern matches the whole of `text` (at its start).
    private func matchesWhole(_ text: String, _ ps: [(name: String, regex: NSRegularExpression)]) -> String? {
        let whole = NSRange(text.startIndex..., in: text)
        for p in ps {
            if let m = p.regex.firstMatch(in: text, range: whole), m.range == whole { return p.name }
        }
        return nil
    }

    @Test func grammarIsForLinjaFiles() throws {
        let g = try grammar()
        #expect(g["scopeName"] as? String == "source.linja")
        #expect((g["fileTypes"] as? [String]) == ["linja"])
        let package = try json("package.json")
        let contributes = try #require(package["contributes"] as? [String: Any])
        let languages = try #require(contributes["languages"] as? [[String: Any]])
        #expect(languages.first?["extensions"] as? [String] == [".linja"])
        let grammars = try #require(contributes["grammars"] as? [[String: Any]])
        #expect(grammars.first?["path"] as? String == "./syntaxes/linja.tmLanguage.json")
        #expect(grammars.first?["scopeName"] as? String == "source.linja")
        _ = try json("language-configuration.json")
    }

    @Test func everyRegexInTheGrammarCompiles() throws {
        var count = 0
        func walk(_ x: Any) throws {
            if let d = x as? [String: Any] {
                for key in ["match", "begin", "end"] {
                    if let r = d[key] as? String {
                        _ = try NSRegularExpression(pattern: r, options: [.anchorsMatchLines])
                        count += 1
                    }
                }
                for v in d.values { try walk(v) }
            } else if let a = x as? [Any] {
                for v in a { try walk(v) }
            }
        }
        try walk(try grammar())
        #expect(count > 20)
    }

    @Test func everyReservedWordOfTheLexerIsAKeywordPattern() throws {
        let keywords = try patterns("keywords")
        let missing = Keyword.allCases.map(\.rawValue).filter { matchesWhole($0, keywords) == nil }
        #expect(missing == [])
    }

    @Test func keywordPatternsDoNotMatchInsideNamesOrFields() throws {
        let keywords = try patterns("keywords")
        for text in ["whenever", "rules", "tests", "income", "is_present", "andersson", "päivä_in", "client.in"] {
            let whole = NSRange(text.startIndex..., in: text)
            let hits = keywords.flatMap { $0.regex.matches(in: text, range: whole) }
            #expect(hits.isEmpty, "a keyword pattern matches inside \(text)")
        }
    }

    @Test(arguments: [
        ("75 %", "constant.numeric.percentage.linja"),
        ("69.9%", "constant.numeric.percentage.linja"),
        ("100 €", "constant.numeric.money.linja"),
        ("21.77 M€", "constant.numeric.money.linja"),
        ("250 EUR", "constant.numeric.money.linja"),
        ("10 days", "constant.numeric.duration.linja"),
        ("1 day", "constant.numeric.duration.linja"),
        ("14 vrk", "constant.numeric.duration.linja"),
        ("6 vk", "constant.numeric.duration.linja"),
        ("3 kk", "constant.numeric.duration.linja"),
        ("1 v", "constant.numeric.duration.linja"),
        ("2 vuotta", "constant.numeric.duration.linja"),
        ("10 päivää", "constant.numeric.duration.linja"),
        ("10 working days", "constant.numeric.duration.linja"),
        ("5 arkipäivää", "constant.numeric.duration.linja"),
        ("2026-05-01", "constant.numeric.date.linja"),
        ("2026-Q1", "constant.numeric.period.linja"),
        ("2026-03", "constant.numeric.period.linja"),
        ("1_000", "constant.numeric.linja"),
        ("3.82", "constant.numeric.linja"),
    ])
    func literalsWithUnitsAreMatchedWhole(_ text: String, _ scope: String) throws {
        #expect(matchesWhole(text, try patterns("literals")) == scope)
    }

    @Test func commentsAndDocCommentsHaveTheirOwnScopes() throws {
        let comments = try patterns("comments")
        #expect(matchesWhole("## Doc of the rule", comments) == "comment.line.documentation.linja")
        #expect(matchesWhole("# a note", comments) == "comment.line.number-sign.linja")
    }

    @Test func stringsIncludeTripleQuotedOnesAndEscapes() throws {
        let repository = try #require(try grammar()["repository"] as? [String: Any])
        let strings = try #require((repository["strings"] as? [String: Any])?["patterns"] as? [[String: Any]])
        #expect(strings.map { $0["begin"] as? String } == ["\"\"\"", "\""])
        #expect(strings.map { $0["name"] as? String } == ["string.quoted.triple.linja", "string.quoted.double.linja"])
        let escapes = try #require(strings.last?["patterns"] as? [[String: Any]])
        let escape = try NSRegularExpression(pattern: try #require(escapes.first?["match"] as? String))
        for text in ["\\\"", "\\\\", "\\n", "\\t", "\\u{E4}"] {
            let whole = NSRange(text.startIndex..., in: text)
            #expect(escape.firstMatch(in: text, range: whole)?.range == whole, "\(text)")
        }
    }

    @Test func declarationNamesAreCaptured() throws {
        let declarations = try patterns("declarations")
        for text in ["rule career_guidance_after_3_months", "let työtön", "outcome refer job_search_documents",
                     "record client", "goal face_to_face"] {
            #expect(matchesWhole(text, declarations) != nil, "\(text)")
        }
    }
}
