import Foundation
import Linja
import Testing

@testable import LinjaTools

/// Byte offsets ↔ the protocol's UTF-16 positions, and edits applied in them.
struct LSPPositionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let text: String
        /// The text before the position, on its line.
        let before: String
        let line: Int
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "ASCII", text: "rule a\n  when x\n", before: "  when ", line: 1),
        Case(name: "after Finnish letters", text: "let ä = 1\nrule Mänttä x\n", before: "rule Mänttä ", line: 1),
        Case(name: "after a decomposed ä (two scalars, two units)", text: "a\u{0308}b = c\n", before: "a\u{0308}b = ", line: 0),
        Case(name: "after an en dash and typographic quotes", text: "rule r \"Nuoret – ”alle 30”\" x\n", before: "rule r \"Nuoret – ”alle 30”\" ", line: 0),
        Case(name: "after an emoji (a surrogate pair)", text: "# 🙂 ok\n", before: "# 🙂 ", line: 0),
        Case(name: "CRLF line ends", text: "a\r\nbä\r\nc d\r\n", before: "c ", line: 2),
        Case(name: "a lone CR ends a line", text: "a\rb c", before: "b ", line: 1),
        Case(name: "a byte-order mark takes no column", text: "\u{FEFF}rule x", before: "rule ", line: 0),
        Case(name: "the last line without a line end", text: "a\nbb cc", before: "bb ", line: 1),
    ]

    @Test(arguments: cases)
    func offsetsAndPositionsAgree(_ c: Case) {
        let map = LineMap(bytes: Array(c.text.utf8))
        // A line's range starts after a byte-order mark.
        let offset = map.lineRange(c.line).lowerBound + c.before.utf8.count
        let expected = LSPPosition(line: c.line, character: c.before.utf16.count)
        #expect(map.position(of: offset) == expected)
        #expect(map.offset(of: expected) == offset)
    }

    @Test func aColumnPastTheLineEndMeansTheLineEndAndALinePastTheEndMeansTheTextEnd() {
        let text = "äb\ncd"
        let map = LineMap(bytes: Array(text.utf8))
        #expect(map.offset(of: LSPPosition(line: 0, character: 99)) == 3)
        #expect(map.offset(of: LSPPosition(line: 9, character: 0)) == text.utf8.count)
        #expect(map.offset(of: LSPPosition(line: -1, character: 5)) == 0)
        #expect(map.position(of: 999) == LSPPosition(line: 1, character: 2))
        #expect(map.position(of: -5) == LSPPosition(line: 0, character: 0))
    }

    @Test func aPositionInsideASurrogatePairMovesToTheCharactersEnd() {
        let map = LineMap(bytes: Array("a🙂b".utf8))
        #expect(map.offset(of: LSPPosition(line: 0, character: 2)) == 5)
        // An offset inside a multi-byte character counts from its start.
        #expect(map.position(of: 2) == LSPPosition(line: 0, character: 1))
    }

    @Test func invalidUTF8CountsOneUnitPerByte() {
        let map = LineMap(bytes: [0x61, 0xFF, 0xC3, 0x62, 0x63])
        #expect(map.position(of: 4) == LSPPosition(line: 0, character: 4))
        #expect(map.offset(of: LSPPosition(line: 0, character: 3)) == 3)
    }

    @Test func aGraphemeColumnBecomesUTF16Units() {
        let map = LineMap(bytes: Array("x\n  Mänttä 🙂 y".utf8))
        // In `  Mänttä 🙂 y`, `y` is character 12 and follows 12 UTF-16 units.
        #expect(map.position(line: 2, characterColumn: 12) == LSPPosition(line: 1, character: 12))
        #expect(map.position(line: 2, characterColumn: 1) == LSPPosition(line: 1, character: 0))
    }

    struct Edit: CustomTestStringConvertible, Sendable {
        let name: String
        let text: String
        let start: LSPPosition
        let end: LSPPosition
        let insert: String
        let result: String
        var testDescription: String { name }
    }

    static let edits: [Edit] = [
        Edit(name: "insert after ä", text: "Mänttä\n", start: .init(line: 0, character: 2), end: .init(line: 0, character: 2),
             insert: "x", result: "Mäxnttä\n"),
        Edit(name: "replace across lines", text: "ab\ncd\nef", start: .init(line: 0, character: 1), end: .init(line: 2, character: 1),
             insert: "Ö", result: "aÖf"),
        Edit(name: "delete an emoji", text: "a🙂b", start: .init(line: 0, character: 1), end: .init(line: 0, character: 3),
             insert: "", result: "ab"),
        Edit(name: "append at the end", text: "a", start: .init(line: 5, character: 0), end: .init(line: 5, character: 0),
             insert: "\nb", result: "a\nb"),
        Edit(name: "a reversed range is taken in order", text: "abcd", start: .init(line: 0, character: 3), end: .init(line: 0, character: 1),
             insert: "–", result: "a–d"),
    ]

    @Test(arguments: edits)
    func rangeEditsReplaceTheRightText(_ e: Edit) {
        var doc = TextDocument(uri: "file:///t.linja", version: 1, text: e.text)
        doc.apply(range: LSPRange(start: e.start, end: e.end), text: e.insert)
        #expect(doc.text == e.result)
    }

    @Test(arguments: [
        ("/tmp/a b/Mänttä.linja", "file:///tmp/a%20b/M%C3%A4ntt%C3%A4.linja"),
        ("/x/y.linja", "file:///x/y.linja"),
    ])
    func fileURIsRoundTrip(_ c: (String, String)) {
        #expect(DocumentURI.uri(c.0) == c.1)
        #expect(DocumentURI.path(c.1) == c.0)
    }

    @Test func otherSchemesAndHostsHaveNoPath() {
        #expect(DocumentURI.path("untitled:Untitled-1") == nil)
        #expect(DocumentURI.path("file://server/share/x.linja") == nil)
        #expect(DocumentURI.path("file://localhost/tmp/x.linja") == "/tmp/x.linja")
        #expect(DocumentURI.path("file:///tmp/%ZZ") == nil)
    }
}
