import Testing

@testable import LinjaTools

struct KeyDecoderTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let bytes: [UInt8]
        let keys: [Key]
        var testDescription: String { name }

        init(_ name: String, _ bytes: [UInt8], _ keys: [Key]) {
            self.name = name
            self.bytes = bytes
            self.keys = keys
        }

        init(_ name: String, _ text: String, _ keys: [Key]) {
            self.init(name, Array(text.utf8), keys)
        }
    }

    static let esc: UInt8 = 0x1B

    static let cases: [Case] = [
        Case("ASCII letters", "ab", [.character("a"), .character("b")]),
        Case("precomposed ä is one key", "ä", [.character("ä")]),
        Case("decomposed ä is a letter and a combining mark", "a\u{308}", [.character("a"), .character("\u{308}")]),
        Case("Mänttä", "Mänttä", "Mänttä".map { .character($0) }),
        Case("four-byte emoji", "🙂", [.character("🙂")]),
        Case("CSI arrows", "\u{1B}[A\u{1B}[B\u{1B}[C\u{1B}[D", [.up, .down, .right, .left]),
        Case("SS3 arrows", "\u{1B}OA\u{1B}OB\u{1B}OC\u{1B}OD", [.up, .down, .right, .left]),
        Case("Home forms", "\u{1B}[H\u{1B}[1~\u{1B}[7~\u{1B}OH", [.home, .home, .home, .home]),
        Case("End forms", "\u{1B}[F\u{1B}[4~\u{1B}[8~\u{1B}OF", [.end, .end, .end, .end]),
        Case("Delete", "\u{1B}[3~", [.delete]),
        Case("Ctrl and Alt arrows move by word", "\u{1B}[1;5C\u{1B}[1;5D\u{1B}[1;3C\u{1B}Od", [.wordRight, .wordLeft, .wordRight, .wordLeft]),
        Case("Shift arrows move by character", "\u{1B}[1;2C", [.right]),
        Case(
            "unknown sequences are dropped and the text around them kept",
            "a\u{1B}[15~\u{1B}[?1;2c\u{1B}OP\u{1B}[200~\u{1B}[5~\u{1B}[[Ab",
            [.character("a"), .character("b")]),
        Case("Tab, Enter, Backspace", [0x09, 0x0D, 0x7F, 0x08], [.tab, .enter, .backspace, .backspace]),
        Case("LF alone is Enter", [0x0A], [.enter]),
        Case("CR LF is one Enter", [0x0D, 0x0A], [.enter]),
        Case("CR CR is two Enters", [0x0D, 0x0D], [.enter, .enter]),
        Case(
            "control letters", [0x01, 0x03, 0x04, 0x05, 0x0B, 0x0C, 0x15, 0x17],
            [.control("a"), .control("c"), .control("d"), .control("e"), .control("k"), .control("l"), .control("u"), .control("w")]),
        Case("Alt letters and Alt-Backspace", [esc, 0x62, esc, 0x66, esc, 0x7F], [.meta("b"), .meta("f"), .metaBackspace]),
        Case("invalid UTF-8 is dropped", [0xFF, 0x61, 0x80, 0xC0, 0xAF, 0x62], [.character("a"), .character("b")]),
        Case("a truncated character does not swallow what follows", [0xC3, 0x41], [.character("A")]),
        Case("surrogates encoded in UTF-8 are dropped", [0xED, 0xA0, 0x80, 0x61], [.character("a")]),
        Case("C1 controls are dropped", [0xC2, 0x9B, 0x61], [.character("a")]),
        Case("a control byte interrupts a sequence", [esc, 0x5B, 0x31, 0x03, 0x61], [.control("c"), .character("a")]),
        Case("ESC ESC is a lone Escape before the sequence", [esc, esc, 0x5B, 0x41], [.escape, .up]),
        Case(
            "an overlong sequence is skipped whole",
            [esc, 0x5B] + Array(repeating: 0x31, count: 60) + [0x41, 0x7A],
            [.character("z")]),
    ]

    @Test(arguments: cases)
    func decodesWholeInput(_ testCase: Case) {
        var decoder = KeyDecoder()
        #expect(decoder.decode(testCase.bytes) + decoder.flush() == testCase.keys)
    }

    @Test(arguments: cases)
    func decodesInputSplitAtEveryPoint(_ testCase: Case) {
        for split in 0...testCase.bytes.count {
            var decoder = KeyDecoder()
            let keys = decoder.decode(testCase.bytes[..<split]) + decoder.decode(testCase.bytes[split...])
            #expect(keys == testCase.keys, "split at \(split)")
        }
    }

    @Test(arguments: cases)
    func decodesInputOneByteAtATime(_ testCase: Case) {
        var decoder = KeyDecoder()
        var keys: [Key] = []
        for byte in testCase.bytes { keys += decoder.decode([byte]) }
        #expect(keys == testCase.keys)
        #expect(!decoder.hasPendingInput)
    }

    @Test func holdsAPartialCharacterUntilItsLastByte() {
        var decoder = KeyDecoder()
        #expect(decoder.decode([0xC3]).isEmpty)
        #expect(decoder.hasPendingInput)
        #expect(!decoder.isAwaitingEscapeSequence)
        #expect(decoder.decode([0xA4]) == [.character("ä")])
        #expect(!decoder.hasPendingInput)
    }

    @Test func holdsAPartialEscapeSequenceAndAsksForATimeout() {
        var decoder = KeyDecoder()
        #expect(decoder.decode([0x1B, 0x5B]).isEmpty)
        #expect(decoder.isAwaitingEscapeSequence)
        #expect(decoder.decode([0x33]).isEmpty)
        #expect(decoder.decode([0x7E]) == [.delete])
        #expect(!decoder.isAwaitingEscapeSequence)
    }

    @Test func flushTurnsALoneEscapeIntoTheEscapeKey() {
        var decoder = KeyDecoder()
        #expect(decoder.decode([0x1B]).isEmpty)
        #expect(decoder.flush() == [.escape])
        #expect(!decoder.hasPendingInput)
    }

    @Test func flushTurnsEscBracketIntoAltBracketAndDropsLongerFragments() {
        var decoder = KeyDecoder()
        _ = decoder.decode([0x1B, 0x5B])
        #expect(decoder.flush() == [.meta("[")])
        _ = decoder.decode([0x1B, 0x5B, 0x31, 0x3B])
        #expect(decoder.flush().isEmpty)
        #expect(decoder.decode(Array("x".utf8)) == [.character("x")])
    }

    @Test func flushDropsAPartialCharacter() {
        var decoder = KeyDecoder()
        _ = decoder.decode([0x61, 0xE2, 0x82])
        #expect(decoder.flush().isEmpty)
        #expect(decoder.decode([0x62]) == [.character("b")])
    }

    @Test func lineFeedAfterCarriageReturnInALaterReadIsStillSwallowed() {
        var decoder = KeyDecoder()
        #expect(decoder.decode([0x0D]) == [.enter])
        #expect(decoder.decode([0x0A, 0x0A]) == [.enter])
    }
}
