import Foundation
import Testing

/// The grammar file and the parser stay in step: each production of
/// `grammar/linja.ebnf` is quoted, as written there, in the doc comment of
/// exactly one parse function (Lua's and clox's habit), compared after
/// removing `(* … *)` comments and normalising white space.
struct GrammarQuoteTests {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url
    }()

    /// `name = … ;` productions in `text`, each normalised.
    static func productions(_ text: String) -> [(name: String, body: String)] {
        var out: [(String, String)] = []
        var current: (name: String, body: String)?
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = withoutComments(String(raw))
            if current == nil, let eq = line.firstIndex(of: "=") {
                let name = line[..<eq].trimmingCharacters(in: .whitespaces)
                if !name.isEmpty, name.allSatisfy({ $0.isLowercase || $0 == "_" }) {
                    current = (name, String(line[line.index(after: eq)...]))
                }
            } else if current != nil {
                current?.body += " " + line
            }
            if let c = current, c.body.trimmingCharacters(in: .whitespaces).hasSuffix(";") {
                out.append((c.name, normalised(c.body)))
                current = nil
            }
        }
        return out
    }

    static func withoutComments(_ s: String) -> String {
        s.replacingOccurrences(of: #"\(\*.*?\*\)"#, with: "", options: .regularExpression)
    }

    static func normalised(_ s: String) -> String {
        s.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The grammar, its block comments removed first (they span lines).
    static func grammar() throws -> [(name: String, body: String)] {
        let text = try String(contentsOf: root.appendingPathComponent("grammar/linja.ebnf"), encoding: .utf8)
        let flat = text.replacingOccurrences(of: #"\(\*[\s\S]*?\*\)"#, with: "", options: .regularExpression)
        return productions(flat)
    }

    /// The productions quoted above each parse function: (function, production).
    static func quotes() throws -> [(function: String, name: String, body: String)] {
        let dir = root.appendingPathComponent("Sources/LinjaSyntax")
        var out: [(String, String, String)] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() where file.hasPrefix("Parser") {
            let lines = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8).split(separator: "\n").map(String.init)
            var doc: [String] = []
            for line in lines {
                let t = line.trimmingCharacters(in: .whitespaces)
                if t.hasPrefix("///") { doc.append(String(t.dropFirst(3))); continue }
                if let range = t.range(of: #"func ([A-Za-z]+)"#, options: .regularExpression) {
                    let function = String(t[range].dropFirst(5))
                    for p in productions(doc.joined(separator: "\n")) { out.append((function, p.name, p.body)) }
                }
                doc = []
            }
        }
        return out
    }

    @Test func everyProductionIsQuotedByExactlyOneParseFunction() throws {
        let grammar = try Self.grammar()
        #expect(grammar.count >= 60, "the grammar file reads as \(grammar.count) productions")
        let quotes = try Self.quotes()
        for p in grammar {
            let by = quotes.filter { $0.name == p.name }.map(\.function)
            #expect(by.count == 1, "`\(p.name)` is quoted by \(by.isEmpty ? "no parse function" : by.joined(separator: ", "))")
        }
    }

    @Test func eachQuoteReadsAsTheGrammarFileWritesIt() throws {
        let grammar = Dictionary(try Self.grammar().map { ($0.name, $0.body) }, uniquingKeysWith: { a, _ in a })
        for q in try Self.quotes() {
            guard let body = grammar[q.name] else {
                Issue.record("\(q.function) quotes `\(q.name)`, which grammar/linja.ebnf does not have")
                continue
            }
            #expect(q.body == body, "\(q.function) quotes `\(q.name)` as\n  \(q.body)\nbut the grammar says\n  \(body)")
        }
    }

    @Test func aDriftedQuoteIsFound() {
        // The comparison itself: a changed terminal is a difference, spacing is not.
        let a = Self.productions("x = \"a\"   { y } ;   (* note *)")
        let b = Self.productions("x = \"a\" { y } ;")
        let c = Self.productions("x = \"b\" { y } ;")
        #expect(a.map(\.body) == b.map(\.body))
        #expect(a.map(\.body) != c.map(\.body))
    }
}
