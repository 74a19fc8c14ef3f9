import Foundation
import Linja

/// How names are written in rule files.
enum Names {
    /// Whether `text` is one plain name: an identifier the lexer reads as
    /// such, not a reserved word (names with hyphens or spaces need quotes).
    static func isIdentifier(_ text: String) -> Bool {
        guard !text.isEmpty, !text.contains(where: { $0.isWhitespace || $0 == "#" || $0 == "\"" }) else { return false }
        let lexed = Lexer.lex(SourceFile(path: "<name>", text: text))
        guard lexed.diagnostics.isEmpty, lexed.tokens.count == 2, lexed.tokens[0].kind == .identifier,
              lexed.tokens[1].kind == .eof else { return false }
        return lexed.tokens[0].text == text.precomposedStringWithCanonicalMapping
    }

    /// Whether `text` reads as one word: a name or a reserved word (no
    /// quotes needed to write it).
    static func isWord(_ text: String) -> Bool {
        guard !text.isEmpty, !text.contains(where: { $0.isWhitespace || $0 == "#" || $0 == "\"" }) else { return false }
        let lexed = Lexer.lex(SourceFile(path: "<name>", text: text))
        guard lexed.diagnostics.isEmpty, lexed.tokens.count == 2, lexed.tokens[1].kind == .eof else { return false }
        switch lexed.tokens[0].kind {
        case .identifier, .keyword: return true
        default: return false
        }
    }

    /// A name as it is written: quoted when it is not a plain identifier.
    static func written(_ name: String) -> String {
        isIdentifier(name) ? name : "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
