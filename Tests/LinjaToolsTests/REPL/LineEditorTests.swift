import Foundation
import Glibc
import Testing

@testable import LinjaTools

/// Keys for typing `text` one Unicode scalar at a time, as the decoder
/// delivers them (a decomposed ä arrives as "a" then U+0308).
fileprivate func typing(_ text: String) -> [Key] {
    text.unicodeScalars.map { .character(Character($0)) }
}

fileprivate func repeated(_ key: Key, _ count: Int) -> [Key] {
    Array(repeating: key, count: count)
}

struct LineEditorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let keys: [Key]
        let text: String
        let cursor: Int
        var testDescription: String { name }

        init(_ name: String, _ keys: [Key], _ text: String, _ cursor: Int) {
            self.name = name
            self.keys = keys
            self.text = text
            self.cursor = cursor
        }
    }

    static let decomposedMantta = "Ma\u{308}ntta\u{308}"

    static let editing: [Case] = [
        Case("typing appends", typing("kunta"), "kunta", 5),
        Case("precomposed ä is one character", typing("Mänttä"), "Mänttä", 6),
        Case("decomposed ä is one character", typing(decomposedMantta), decomposedMantta, 6),
        Case("inserting in the middle of Mänttä", typing("Mänttä") + [.left, .left] + typing("X"), "MäntXtä", 5),
        Case(
            "inserting in the middle of a decomposed Mänttä",
            typing(decomposedMantta) + [.left, .left] + typing("X"), "Ma\u{308}ntXta\u{308}", 5),
        Case("left moves over a decomposed ä in one step", typing("ka\u{308}") + [.left], "ka\u{308}", 1),
        Case("backspace deletes a whole decomposed ä", typing("pa\u{308}") + [.backspace], "p", 1),
        Case("backspace deletes a whole precomposed ä", typing("pä") + [.backspace], "p", 1),
        Case("backspace at the start does nothing", typing("ab") + [.home, .backspace], "ab", 0),
        Case("delete removes the character under the cursor", typing("äbc") + [.home, .delete], "bc", 0),
        Case("delete at the end does nothing", typing("ab") + [.delete], "ab", 2),
        Case("left stops at the start", typing("ab") + repeated(.left, 5), "ab", 0),
        Case("right stops at the end", typing("ab") + [.home] + repeated(.right, 5), "ab", 2),
        Case("home and end", typing("abc") + [.home], "abc", 0),
        Case("end after home", typing("abc") + [.home, .end], "abc", 3),
        Case("Ctrl-A goes to the start", typing("abc") + [.control("a")], "abc", 0),
        Case("Ctrl-E goes to the end", typing("abc") + [.control("a"), .control("e")], "abc", 3),
        Case("Ctrl-B and Ctrl-F move by one", typing("abc") + [.control("b"), .control("b"), .control("f")], "abc", 2),
        Case("Ctrl-D deletes under the cursor on a non-empty line", typing("äbc") + [.home, .control("d")], "bc", 0),
        Case("Ctrl-D at the end of a non-empty line does nothing", typing("abc") + [.control("d")], "abc", 3),
        Case("Ctrl-K kills to the end", typing("hello world") + repeated(.left, 5) + [.control("k")], "hello ", 6),
        Case("Ctrl-U kills to the start", typing("hello world") + repeated(.left, 5) + [.control("u")], "world", 0),
        Case("Ctrl-W deletes the previous word", typing("kunta = Mänttä") + [.control("w")], "kunta = ", 8),
        Case("Ctrl-W skips spaces before the word", typing("alue kunta  ") + [.control("w")], "alue ", 5),
        Case("Ctrl-W in the middle keeps the rest", typing("ab cd ef") + repeated(.left, 3) + [.control("w")], "ab  ef", 3),
        Case("Ctrl-W at the start does nothing", typing("ab") + [.home, .control("w")], "ab", 0),
        Case("Ctrl-Y yanks what Ctrl-K killed", typing("abc") + [.left, .left, .control("k"), .home, .control("y")], "bca", 2),
        Case("Alt-Backspace deletes a word of letters", typing("alue.kunta") + [.metaBackspace], "alue.", 5),
        Case("Alt-B and Alt-F move by words", typing("yksi kaksi") + [.meta("b"), .meta("b"), .meta("f")], "yksi kaksi", 4),
        Case("Ctrl-Left and Ctrl-Right move by words", typing("yksi kaksi") + [.wordLeft, .wordLeft, .wordRight], "yksi kaksi", 4),
        Case("Alt-D deletes the next word", typing("yksi kaksi") + [.home, .meta("d")], " kaksi", 0),
        Case("control characters are never inserted", [.character("\u{7}"), .character("\r\n")] + typing("a"), "a", 1),
        Case("unbound keys do nothing", typing("a") + [.control("g"), .escape, .meta("z"), .control("@")], "a", 1),
        Case(
            "a combining mark joins a letter typed before it",
            typing("\u{308}") + [.home] + typing("a"), "a\u{308}", 1),
        Case("Tab without completion does nothing", typing("ku") + [.tab], "ku", 2),
    ]

    @Test(arguments: editing)
    func editsTheLine(_ testCase: Case) {
        var editor = LineEditor()
        for key in testCase.keys {
            #expect(editor.handle(key) == .continue)
        }
        #expect(editor.text == testCase.text)
        #expect(editor.text.unicodeScalars.elementsEqual(testCase.text.unicodeScalars))
        #expect(editor.cursor == testCase.cursor)
    }

    @Test func theBufferAlwaysMatchesTheTextSplitIntoCharacters() {
        // Flags pair regional indicators, emoji join with ZWJ, and marks
        // join their letter: edits next to them must re-split correctly.
        let pieces: [Key] = typing("🇫") + typing("🇮") + typing("👩\u{200D}👧") + typing("a\u{308}")
            + typing("\u{308}") + typing("x ")
        let keys: [Key] = pieces + [.left, .right, .backspace, .delete, .home, .end, .control("w"), .control("y")]
        var state: UInt64 = 0x5EED
        var editor = LineEditor()
        for step in 0..<2_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let key = keys[Int((state >> 33) % UInt64(keys.count))]
            _ = editor.handle(key)
            let resplit = Array(editor.text)
            #expect(editor.characters.count == resplit.count, "step \(step)")
            #expect(
                zip(editor.characters, resplit).allSatisfy { $0.unicodeScalars.elementsEqual($1.unicodeScalars) },
                "step \(step)")
            #expect((0...editor.characters.count).contains(editor.cursor), "step \(step)")
        }
    }

    @Test func pastingALongLineIsNotQuadratic() {
        var editor = LineEditor()
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for _ in 0..<20_000 { _ = editor.handle(.character("ä")) }
        }
        #expect(editor.cursor == 20_000)
        #expect(elapsed < .seconds(2))
    }

    // MARK: Actions

    @Test func enterAcceptsTheWholeLineWhereverTheCursorIs() {
        var editor = LineEditor()
        for key in typing("MäntXtä") + [.left, .left] { _ = editor.handle(key) }
        #expect(editor.handle(.enter) == .accept("MäntXtä"))
    }

    @Test func controlCCancelsTheLine() {
        var editor = LineEditor(text: "half a rule")
        #expect(editor.handle(.control("c")) == .cancel)
    }

    @Test func controlDOnAnEmptyLineEndsInput() {
        var editor = LineEditor()
        #expect(editor.handle(.control("d")) == .endOfInput)
    }

    @Test func controlDAfterDeletingEverythingEndsInput() {
        var editor = LineEditor(text: "a")
        _ = editor.handle(.backspace)
        #expect(editor.handle(.control("d")) == .endOfInput)
    }

    @Test func controlLAsksToClearTheScreen() {
        var editor = LineEditor(text: "a")
        #expect(editor.handle(.control("l")) == .clearScreen)
        #expect(editor.text == "a")
    }

    @Test func initialTextPutsTheCursorAtItsEnd() {
        let editor = LineEditor(text: "Mänttä")
        #expect(editor.cursor == 6)
    }

    // MARK: History

    static let history = ["first", "second", "Mänttä"]

    static let historyCases: [Case] = [
        Case("up recalls the newest entry", [.up], "Mänttä", 6),
        Case("up twice recalls the one before", [.up, .up], "second", 6),
        Case("up stops at the oldest entry", repeated(.up, 5), "first", 5),
        Case("down after up goes forward again", [.up, .up, .down], "Mänttä", 6),
        Case("down past the newest restores the line being edited", typing("draft") + [.up, .up, .down, .down], "draft", 5),
        Case("down on the line being edited does nothing", typing("draft") + [.down], "draft", 5),
        Case("Ctrl-P and Ctrl-N navigate like up and down", [.control("p"), .control("p"), .control("n")], "Mänttä", 6),
        Case("edits to a recalled entry survive moving away and back", [.up] + typing("!") + [.up, .down], "Mänttä!", 7),
    ]

    @Test(arguments: historyCases)
    func navigatesHistory(_ testCase: Case) {
        var editor = LineEditor(history: Self.history)
        for key in testCase.keys { _ = editor.handle(key) }
        #expect(editor.text == testCase.text)
        #expect(editor.cursor == testCase.cursor)
    }

    @Test func upWithEmptyHistoryKeepsTheLine() {
        var editor = LineEditor(text: "x")
        _ = editor.handle(.up)
        #expect(editor.text == "x")
    }

    @Test func acceptingARecalledEntryReturnsItsEditedText() {
        var editor = LineEditor(history: Self.history)
        _ = editor.handle(.up)
        _ = editor.handle(.backspace)
        #expect(editor.handle(.enter) == .accept("Mäntt"))
    }

    // MARK: Completion

    static let words = ["kunta", "työssäkäyntialue", "työvoima", "Mänttä", "Mänttä-Vilppula"]

    static func completer(_ words: [String]) -> LineEditor.Completion {
        { line, cursor in
            let word = LineEditor.completionWord(in: line, cursor: cursor)
            return words.filter { $0.hasPrefix(word) }
        }
    }

    @Test func tabCompletesAUniqueCandidate() {
        var editor = LineEditor(completion: Self.completer(Self.words))
        for key in typing("ku") { _ = editor.handle(key) }
        #expect(editor.handle(.tab) == .continue)
        #expect(editor.text == "kunta")
        #expect(editor.cursor == 5)
    }

    @Test func tabCompletesAWordInTheMiddleOfTheLine() {
        var editor = LineEditor(text: "alue ku = 1", completion: Self.completer(Self.words))
        for key in repeated(.left, 4) { _ = editor.handle(key) }
        _ = editor.handle(.tab)
        #expect(editor.text == "alue kunta = 1")
        #expect(editor.cursor == 10)
    }

    @Test func tabPassesTheLineAndCursorToTheCallback() {
        var seen: [(String, Int)] = []
        var editor = LineEditor(text: "ää bb") { line, cursor in
            seen.append((line, cursor))
            return []
        }
        _ = editor.handle(.left)
        _ = editor.handle(.tab)
        #expect(seen.count == 1)
        #expect(seen.first?.0 == "ää bb")
        #expect(seen.first?.1 == 4)
    }

    @Test func tabWithSeveralCandidatesCompletesTheCommonPrefixThenLists() {
        var editor = LineEditor(completion: Self.completer(Self.words))
        for key in typing("t") { _ = editor.handle(key) }
        #expect(editor.handle(.tab) == .continue)
        #expect(editor.text == "työ")
        #expect(editor.handle(.tab) == .showCompletions(["työssäkäyntialue", "työvoima"]))
        #expect(editor.text == "työ")
    }

    @Test func firstTabThatCannotExtendDoesNotListButTheSecondDoes() {
        var editor = LineEditor(text: "Mänttä", completion: Self.completer(Self.words))
        #expect(editor.handle(.tab) == .continue)
        #expect(editor.handle(.tab) == .showCompletions(["Mänttä", "Mänttä-Vilppula"]))
    }

    @Test func anotherKeyBetweenTabsStartsOver() {
        var editor = LineEditor(text: "työ", completion: Self.completer(Self.words))
        #expect(editor.handle(.tab) == .continue)
        _ = editor.handle(.end)
        #expect(editor.handle(.tab) == .continue)
    }

    @Test func commonPrefixWorksOnWholeCharactersWithDecomposedLetters() {
        var editor = LineEditor(completion: Self.completer(["ma\u{308}a\u{308}ra\u{308}", "ma\u{308}a\u{308}rite"]))
        for key in typing("m") { _ = editor.handle(key) }
        _ = editor.handle(.tab)
        #expect(editor.text.unicodeScalars.elementsEqual("ma\u{308}a\u{308}r".unicodeScalars))
        #expect(editor.cursor == 4)
    }

    @Test func duplicateAndEmptyCandidatesAreIgnored() {
        var editor = LineEditor(text: "ku", completion: { _, _ in ["kunta", "", "kunta"] })
        _ = editor.handle(.tab)
        #expect(editor.text == "kunta")
    }

    @Test func completionWordIsTheIdentifierBeforeTheCursor() {
        #expect(LineEditor.completionWord(in: "rule kun", cursor: 8) == "kun")
        #expect(LineEditor.completionWord(in: "(alue.ku", cursor: 8) == "alue.ku")
        #expect(LineEditor.completionWord(in: "Mänttä = x", cursor: 6) == "Mänttä")
        #expect(LineEditor.completionWord(in: "a b", cursor: 2) == "")
        #expect(LineEditor.completionWord(in: "abc", cursor: 99) == "abc")
        #expect(LineEditor.completionWord(in: "abc", cursor: -1) == "")
    }
}

// MARK: - Display width and rendering

struct LineRendererTests {
    @Test func decomposedAndPrecomposedLettersTakeOneColumn() {
        #expect(DisplayWidth.columns(of: "ä") == 1)
        #expect(DisplayWidth.columns(of: "a\u{308}") == 1)
        #expect(DisplayWidth.columns(of: "Ma\u{308}ntta\u{308}") == 6)
    }

    @Test func eastAsianWideCharactersAndEmojiTakeTwoColumns() {
        #expect(DisplayWidth.columns(of: "日本") == 4)
        #expect(DisplayWidth.columns(of: "🙂") == 2)
        #expect(DisplayWidth.columns(of: "ｱ") == 1)
    }

    @Test func promptWidthIgnoresColourCodes() {
        #expect(DisplayWidth.columns(ofPrompt: "\u{1B}[1;32mlinja\u{1B}[0m> ") == 7)
    }

    @Test func refreshDrawsPromptLineAndCursorColumn() {
        let output = LineRenderer.refresh(prompt: "> ", characters: Array("MäntXtä"), cursor: 5, columns: 80)
        #expect(output == "\r> MäntXtä\u{1B}[0K\r\u{1B}[7C")
    }

    @Test func refreshCountsDecomposedLettersAsOneColumn() {
        let output = LineRenderer.refresh(prompt: "> ", characters: Array("Ma\u{308}ntta\u{308}"), cursor: 6, columns: 80)
        #expect(output.hasSuffix("\r\u{1B}[8C"))
    }

    @Test func refreshAtColumnZeroDoesNotMoveTheCursor() {
        let output = LineRenderer.refresh(prompt: "", characters: Array("ab"), cursor: 0, columns: 80)
        #expect(output == "\rab\u{1B}[0K\r")
    }

    @Test func aLongLineScrollsToKeepTheCursorVisible() {
        let text = Array("abcdefghijklmnopqrstuvwxyz")
        let atEnd = LineRenderer.refresh(prompt: "> ", characters: text, cursor: text.count, columns: 10)
        #expect(atEnd == "\r> tuvwxyz\u{1B}[0K\r\u{1B}[9C")
        let atStart = LineRenderer.refresh(prompt: "> ", characters: text, cursor: 0, columns: 10)
        #expect(atStart == "\r> abcdefg\u{1B}[0K\r\u{1B}[2C")
    }

    @Test func fitsLeavesTheLastColumnFree() {
        #expect(LineRenderer.fits(prompt: "> ", characters: Array("1234567"), columns: 10))
        #expect(!LineRenderer.fits(prompt: "> ", characters: Array("12345678"), columns: 10))
    }

    @Test func aPromptWiderThanTheTerminalIsDropped() {
        let output = LineRenderer.refresh(prompt: "a very long prompt> ", characters: Array("x"), cursor: 1, columns: 10)
        #expect(output == "\rx\u{1B}[0K\r\u{1B}[1C")
    }

    @Test func completionListFillsColumnsDownThenAcross() {
        let list = LineRenderer.completionList(["a", "bb", "c", "d", "e"], columns: 12)
        // Cells are 4 wide, 3 per row, 2 rows.
        #expect(list == "a   c   e\r\nbb  d")
    }

    @Test func completionListStripsControlCharacters() {
        #expect(LineRenderer.completionList(["a\u{1B}[2Jb"], columns: 80) == "a[2Jb")
    }
}

// MARK: - Plain input

struct LineReaderPlainInputTests {
    /// A file holding `text`, opened for reading. A regular file rather than
    /// a pipe: a child spawned by a concurrent test that inherited a pipe's
    /// write end would keep the reader waiting.
    private func file(containing text: String) throws -> (descriptor: Int32, url: URL) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("linja-input-\(UUID().uuidString)")
        try Data(text.utf8).write(to: url)
        return (open(url.path, O_RDWR | O_CLOEXEC), url)
    }

    @Test func readsPlainLinesWithoutPromptsWhenInputIsNotATerminal() throws {
        let input = try file(containing: "rule a\nMänttä\r\nlast")
        let output = try file(containing: "")
        defer {
            close(input.descriptor)
            close(output.descriptor)
            try? FileManager.default.removeItem(at: input.url)
            try? FileManager.default.removeItem(at: output.url)
        }
        let reader = LineReader(input: input.descriptor, output: output.descriptor)
        #expect(reader.mode == .plain)
        #expect(reader.readLine() == .line("rule a"))
        #expect(reader.readLine(continuation: true) == .line("Mänttä"))
        #expect(reader.readLine() == .line("last"))
        #expect(reader.readLine() == .endOfInput)
        #expect(reader.history.entries.isEmpty, "piped lines are not history")
        #expect(try Data(contentsOf: output.url).isEmpty, "no prompt and no escape codes")
    }

    @Test func emptyInputLinesAreReturned() throws {
        let input = try file(containing: "\n\nx\n")
        defer {
            close(input.descriptor)
            try? FileManager.default.removeItem(at: input.url)
        }
        let reader = LineReader(input: input.descriptor, output: input.descriptor)
        #expect(reader.readLine() == .line(""))
        #expect(reader.readLine() == .line(""))
        #expect(reader.readLine() == .line("x"))
        #expect(reader.readLine() == .endOfInput)
    }
}
