import Linja

/// A position as the protocol counts it: a 0-based line and a 0-based
/// column in UTF-16 code units (so `ä` is one, `🙂` is two).
public struct LSPPosition: Hashable, Sendable, Comparable {
    public var line: Int
    public var character: Int
    public init(line: Int, character: Int) {
        self.line = line
        self.character = character
    }
    public static func < (a: LSPPosition, b: LSPPosition) -> Bool {
        (a.line, a.character) < (b.line, b.character)
    }
    var json: JSONValue { ["line": .int(line), "character": .int(character)] }
    init?(_ v: JSONValue?) {
        guard let l = v?["line"]?.int, let c = v?["character"]?.int else { return nil }
        self.init(line: l, character: c)
    }
}

public struct LSPRange: Hashable, Sendable {
    public var start: LSPPosition
    public var end: LSPPosition
    public init(start: LSPPosition, end: LSPPosition) {
        self.start = start
        self.end = end
    }
    var json: JSONValue { ["start": start.json, "end": end.json] }
    init?(_ v: JSONValue?) {
        guard let s = LSPPosition(v?["start"]), let e = LSPPosition(v?["end"]) else { return nil }
        self.init(start: s, end: e)
    }
    func contains(_ p: LSPPosition) -> Bool { start <= p && p <= end }
    func overlaps(_ o: LSPRange) -> Bool { !(end < o.start || o.end < start) }
}

/// Turns byte offsets into the protocol's positions and back, for one text.
///
/// Spans are UTF-8 byte offsets (the library's habit); the protocol counts
/// UTF-16 code units from the start of a line. Lines end at `\n`, `\r\n` or
/// `\r`, as both `SourceFile` and the protocol say. A byte-order mark at the
/// start of the text takes no column (editors do not show it). Invalid
/// UTF-8 counts one unit per byte, as a replacement character would.
public struct LineMap: Sendable {
    public let bytes: [UInt8]
    /// Byte offset of the first byte of each line.
    let lineStarts: [Int]

    public init(bytes: [UInt8]) {
        self.bytes = bytes
        lineStarts = LineTable.starts(bytes)
    }

    public var lineCount: Int { lineStarts.count }

    /// The 0-based line holding byte `offset`.
    public func line(of offset: Int) -> Int {
        LineTable.index(of: offset, in: lineStarts)
    }

    /// Bytes of a 0-based line, without its terminator.
    public func lineRange(_ line: Int) -> Range<Int> {
        guard line >= 0, line < lineStarts.count else { return bytes.count..<bytes.count }
        var start = lineStarts[line]
        var end = line + 1 < lineStarts.count ? lineStarts[line + 1] : bytes.count
        while end > start, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
        if line == 0, end - start >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
        return start..<end
    }

    /// How many bytes the UTF-8 sequence at `i` takes (1 for an invalid byte).
    func scalarLength(at i: Int, limit: Int) -> Int {
        let b = bytes[i]
        let n: Int
        if b < 0x80 { return 1 }
        else if b & 0xE0 == 0xC0 { n = 2 }
        else if b & 0xF0 == 0xE0 { n = 3 }
        else if b & 0xF8 == 0xF0 { n = 4 }
        else { return 1 }
        guard i + n <= limit else { return 1 }
        for k in 1..<n where bytes[i + k] & 0xC0 != 0x80 { return 1 }
        return n
    }

    /// The protocol's position of byte `offset` (clamped to the text; an
    /// offset inside a character counts from that character's start).
    public func position(of offset: Int) -> LSPPosition {
        let o = min(max(offset, 0), bytes.count)
        let l = line(of: o)
        let r = lineRange(l)
        let upto = min(max(o, r.lowerBound), r.upperBound)
        var units = 0
        var i = r.lowerBound
        while i < upto {
            let n = scalarLength(at: i, limit: r.upperBound)
            if i + n > upto { break }
            units += n == 4 ? 2 : 1
            i += n
        }
        return LSPPosition(line: l, character: units)
    }

    /// The byte offset of a protocol position. A column past the line's end
    /// means the line's end; a line past the last means the text's end; a
    /// column inside a surrogate pair moves to the character's end.
    public func offset(of p: LSPPosition) -> Int {
        guard p.line >= 0 else { return 0 }
        guard p.line < lineStarts.count else { return bytes.count }
        let r = lineRange(p.line)
        var units = 0
        var i = r.lowerBound
        while i < r.upperBound, units < p.character {
            let n = scalarLength(at: i, limit: r.upperBound)
            units += n == 4 ? 2 : 1
            i += n
        }
        return i
    }

    public func range(_ bytes: Range<Int>) -> LSPRange {
        LSPRange(start: position(of: bytes.lowerBound), end: position(of: bytes.upperBound))
    }

    /// The 0-based line and UTF-16 column of a 1-based line and a column
    /// counted in characters (grapheme clusters), as `SourceLocation` has them.
    public func position(line: Int, characterColumn: Int) -> LSPPosition {
        let l = min(max(line - 1, 0), max(lineStarts.count - 1, 0))
        let r = lineRange(l)
        let text = String(decoding: bytes[r], as: UTF8.self)
        var units = 0
        var seen = 1
        for ch in text where seen < characterColumn {
            units += ch.utf16.count
            seen += 1
        }
        return LSPPosition(line: l, character: units)
    }
}
