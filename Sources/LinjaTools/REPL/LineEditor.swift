// The line editor's state machine: keys in, buffer and actions out.
//
// It does no I/O, so every editing rule can be tested with a list of keys;
// `LineReader` (Terminal.swift) feeds it keys and draws what it holds.

/// What the caller should do after the editor handled a key.
public enum EditAction: Equatable, Sendable {
    /// Keep reading keys (redraw if the text or cursor changed).
    case `continue`
    /// Enter: the line is finished.
    case accept(String)
    /// Ctrl-C: the line is abandoned; the caller shows a fresh prompt.
    case cancel
    /// Ctrl-D on an empty line.
    case endOfInput
    /// Second Tab with several candidates: list them below the prompt.
    case showCompletions([String])
    /// Ctrl-L: clear the screen and redraw the line at the top.
    case clearScreen
}

/// Editing state for one input line.
///
/// The buffer is a list of grapheme clusters (`Character`s), so a Finnish
/// "ä" is one position whether it was typed precomposed (U+00E4) or as
/// "a" followed by U+0308. `cursor` counts those characters.
public struct LineEditor {
    /// Returns candidates for the word before the cursor.
    ///
    /// `line` is the whole line and `cursor` its cursor in characters. Each
    /// candidate replaces the word before the cursor (see `completionWord`),
    /// so it should include the part already typed. Nothing is appended
    /// after a unique candidate; return "name " to have a space added.
    public typealias Completion = (_ line: String, _ cursor: Int) -> [String]

    /// The buffer, one grapheme cluster per element.
    private(set) var characters: [Character]
    /// Cursor position in characters, 0...characters.count.
    public private(set) var cursor: Int

    /// History working copy, oldest first; the last element is the line being
    /// edited, so going back down restores it. Edits to recalled entries stay
    /// here (and do not touch the real history).
    private var historyLines: [String]
    private var historyIndex: Int
    private let completion: Completion?
    private var lastKeyWasTab = false
    /// Text removed by the last kill command, for Ctrl-Y.
    private var killBuffer = ""

    /// - Parameters:
    ///   - text: initial contents; the cursor starts at its end.
    ///   - history: earlier lines, oldest first, for Up/Down.
    ///   - completion: called on Tab; nil disables completion.
    public init(text: String = "", history: [String] = [], completion: Completion? = nil) {
        characters = Array(Self.sanitized(text))
        cursor = characters.count
        historyLines = history + [String(characters)]
        historyIndex = historyLines.count - 1
        self.completion = completion
    }

    /// The line as it stands.
    public var text: String { String(characters) }

    /// The line in front of the cursor.
    var textBeforeCursor: String { String(characters[..<cursor]) }

    /// Applies one key.
    public mutating func handle(_ key: Key) -> EditAction {
        let wasTab = lastKeyWasTab
        lastKeyWasTab = false
        switch key {
        case .character(let character):
            insert(String(character))
        case .enter:
            return .accept(text)
        case .tab:
            lastKeyWasTab = true
            return complete(secondTab: wasTab)
        case .backspace:
            if cursor > 0 { replace(cursor - 1..<cursor, with: "") }
        case .delete:
            if cursor < characters.count { replace(cursor..<cursor + 1, with: "") }
        case .left:
            cursor = max(cursor - 1, 0)
        case .right:
            cursor = min(cursor + 1, characters.count)
        case .home:
            cursor = 0
        case .end:
            cursor = characters.count
        case .up:
            recallHistory(by: -1)
        case .down:
            recallHistory(by: 1)
        case .wordLeft:
            cursor = wordStart(before: cursor)
        case .wordRight:
            cursor = wordEnd(after: cursor)
        case .metaBackspace:
            kill(wordStart(before: cursor)..<cursor)
        case .escape:
            break
        case .meta(let character):
            handleMeta(character)
        case .control(let character):
            return handleControl(character)
        }
        return .continue
    }

    private mutating func handleControl(_ character: Character) -> EditAction {
        switch character {
        case "a": cursor = 0
        case "e": cursor = characters.count
        case "b": cursor = max(cursor - 1, 0)
        case "f": cursor = min(cursor + 1, characters.count)
        case "c": return .cancel
        case "d":
            if characters.isEmpty { return .endOfInput }
            if cursor < characters.count { replace(cursor..<cursor + 1, with: "") }
        case "k": kill(cursor..<characters.count)
        case "u": kill(0..<cursor)
        case "w": kill(Self.unixWordStart(in: characters, before: cursor)..<cursor)
        case "y": insert(killBuffer)
        case "p": recallHistory(by: -1)
        case "n": recallHistory(by: 1)
        case "l": return .clearScreen
        default: break  // other control keys do nothing rather than insert garbage
        }
        return .continue
    }

    private mutating func handleMeta(_ character: Character) {
        switch character {
        case "b": cursor = wordStart(before: cursor)
        case "f": cursor = wordEnd(after: cursor)
        case "d": kill(cursor..<wordEnd(after: cursor))
        default: break
        }
    }

    // MARK: - Editing primitives

    private mutating func insert(_ string: String) {
        replace(cursor..<cursor, with: string)
    }

    private mutating func kill(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        killBuffer = String(characters[range])
        replace(range, with: "")
    }

    /// Every edit goes through here: the text is re-split into grapheme
    /// clusters, because joining pieces can merge characters (a combining
    /// mark typed after "a" becomes part of it), and the cursor is placed
    /// after the replacement, measured in Unicode scalars so that it stays
    /// on a character boundary even when clusters merge.
    private mutating func replace(_ range: Range<Int>, with replacement: String) {
        let lower = min(max(range.lowerBound, 0), characters.count)
        let upper = min(max(range.upperBound, lower), characters.count)
        let replacement = Self.sanitized(replacement)

        // Fast path, so that a long paste is not quadratic: re-split just the
        // replacement between its neighbours. If both neighbours come out
        // unchanged, no cluster merged across the edit and the rest of the
        // buffer cannot have changed either.
        let left = lower > 0 ? characters[lower - 1] : nil
        let right = upper < characters.count ? characters[upper] : nil
        var window = Array((left.map { String($0) } ?? "") + replacement + (right.map { String($0) } ?? ""))
        // Compared by scalars: Character equality is canonical equivalence.
        let leftIntact = left.map { Self.sameScalars(window.first, $0) } ?? true
        let rightIntact = right.map { Self.sameScalars(window.last, $0) } ?? true
        if leftIntact, rightIntact, window.count >= (left == nil ? 0 : 1) + (right == nil ? 0 : 1) {
            if left != nil { window.removeFirst() }
            if right != nil { window.removeLast() }
            characters.replaceSubrange(lower..<upper, with: window)
            cursor = lower + window.count
            return
        }

        let head = String(characters[..<lower]) + replacement
        let tail = String(characters[upper...])
        let merged = Array(head + tail)
        let target = head.unicodeScalars.count
        var scalars = 0
        var position = 0
        while position < merged.count, scalars < target {
            scalars += merged[position].unicodeScalars.count
            position += 1
        }
        characters = merged
        cursor = position
    }

    private static func sameScalars(_ a: Character?, _ b: Character) -> Bool {
        a.map { $0.unicodeScalars.elementsEqual(b.unicodeScalars) } ?? false
    }

    /// Drops control characters: they would move the terminal's cursor and
    /// break the display.
    private static func sanitized(_ string: String) -> String {
        guard string.unicodeScalars.contains(where: isControl) else { return string }
        var result = String.UnicodeScalarView()
        result.append(contentsOf: string.unicodeScalars.filter { !isControl($0) })
        return String(result)
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    // MARK: - History

    private mutating func recallHistory(by offset: Int) {
        let target = historyIndex + offset
        guard historyLines.indices.contains(target), historyLines.indices.contains(historyIndex) else { return }
        historyLines[historyIndex] = text
        historyIndex = target
        characters = Array(Self.sanitized(historyLines[target]))
        cursor = characters.count
    }

    // MARK: - Words

    /// Alt-B / Ctrl-Left: start of the word at or before `position`, where
    /// words are runs of letters and digits.
    private func wordStart(before position: Int) -> Int {
        var index = min(position, characters.count)
        while index > 0, !Self.isWordCharacter(characters[index - 1]) { index -= 1 }
        while index > 0, Self.isWordCharacter(characters[index - 1]) { index -= 1 }
        return index
    }

    /// Alt-F / Ctrl-Right: end of the word at or after `position`.
    private func wordEnd(after position: Int) -> Int {
        var index = max(position, 0)
        while index < characters.count, !Self.isWordCharacter(characters[index]) { index += 1 }
        while index < characters.count, Self.isWordCharacter(characters[index]) { index += 1 }
        return index
    }

    /// Ctrl-W deletes back to whitespace, like the shell's unix-word-rubout.
    private static func unixWordStart(in characters: [Character], before position: Int) -> Int {
        var index = min(max(position, 0), characters.count)
        while index > 0, characters[index - 1].isWhitespace { index -= 1 }
        while index > 0, !characters[index - 1].isWhitespace { index -= 1 }
        return index
    }

    private static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "_"
    }

    // MARK: - Completion

    /// The word completion works on: the run before `cursor` (in characters)
    /// of letters, digits, marks and `_ . - / :`. Completion callbacks can
    /// use this to see the same prefix the editor will replace.
    public static func completionWord(in line: String, cursor: Int) -> String {
        let characters = Array(line)
        let end = min(max(cursor, 0), characters.count)
        return String(characters[completionWordStart(in: characters, before: end)..<end])
    }

    private static func completionWordStart(in characters: [Character], before end: Int) -> Int {
        var start = end
        while start > 0, isCompletionCharacter(characters[start - 1]) { start -= 1 }
        return start
    }

    private static func isCompletionCharacter(_ character: Character) -> Bool {
        if character.isLetter || character.isNumber { return true }
        if let first = character.unicodeScalars.first, first.properties.generalCategory == .nonspacingMark {
            return true
        }
        return "_.-/:".contains(character)
    }

    private mutating func complete(secondTab: Bool) -> EditAction {
        guard let completion else { return .continue }
        var seen = Set<String>()
        let candidates = completion(text, cursor).filter { !$0.isEmpty && seen.insert($0).inserted }
        guard let first = candidates.first else { return .continue }
        let start = Self.completionWordStart(in: characters, before: cursor)
        let word = characters[start..<cursor]
        if candidates.count == 1 {
            replace(start..<cursor, with: first)
            return .continue
        }
        let prefix = Self.commonPrefix(of: candidates)
        if prefix.count > word.count {
            replace(start..<cursor, with: prefix)
            return .continue
        }
        return secondTab ? .showCompletions(candidates) : .continue
    }

    /// Longest common prefix in whole characters.
    static func commonPrefix(of strings: [String]) -> String {
        guard let first = strings.first else { return "" }
        var prefix = Array(first)
        for string in strings.dropFirst() {
            var length = 0
            for (a, b) in zip(prefix, string) {
                guard a == b else { break }
                length += 1
            }
            prefix.removeSubrange(length...)
        }
        return String(prefix)
    }
}

/// How many terminal columns text takes.
///
/// Combining marks and other zero-width scalars ride along in their
/// cluster; East Asian wide characters and emoji take two columns.
enum DisplayWidth {
    static func columns(of character: Character) -> Int {
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if first.value < 0x20 || (0x7F...0x9F).contains(first.value) { return 0 }
        if scalars.allSatisfy(isZeroWidth) { return 0 }
        let properties = first.properties
        if properties.isEmojiPresentation { return 2 }
        if properties.isEmoji, scalars.contains("\u{FE0F}") { return 2 }
        return isWide(first.value) ? 2 : 1
    }

    static func columns(of string: some StringProtocol) -> Int {
        string.reduce(0) { $0 + columns(of: $1) }
    }

    /// Width of a prompt, not counting ANSI escape sequences such as colours.
    static func columns(ofPrompt prompt: String) -> Int {
        var width = 0
        var iterator = prompt.makeIterator()
        while let character = iterator.next() {
            guard character == "\u{1B}" else {
                width += columns(of: character)
                continue
            }
            // ESC [ … final byte, or ESC + one character.
            guard let next = iterator.next(), next == "[" else { continue }
            while let byte = iterator.next() {
                if let scalar = byte.unicodeScalars.first, (0x40...0x7E).contains(scalar.value) { break }
            }
        }
        return width
    }

    private static func isZeroWidth(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format:
            return true
        default:
            return scalar.value == 0x200B || (0xFE00...0xFE0F).contains(scalar.value)
        }
    }

    /// East Asian Wide and Fullwidth blocks (approximate, from Unicode's
    /// EastAsianWidth.txt).
    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF,
        0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F,
        0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F,
        0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4, 0x17000...0x18CFF,
        0x1B000...0x1B2FF, 0x1F200...0x1F2FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]

    private static func isWide(_ value: UInt32) -> Bool {
        wideRanges.contains { $0.contains(value) }
    }
}
