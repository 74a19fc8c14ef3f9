/// A rule file's text, kept as UTF-8 bytes, with a line table built once so
/// that spans (byte offsets) turn into line:column only when rendering.
public final class SourceFile: Sendable {
    /// The path as the user gave it (used verbatim in diagnostics).
    public let path: String
    /// The file's bytes. Invalid UTF-8 is kept as is: the lexer reports it.
    public let bytes: [UInt8]
    /// Byte offset of the first byte of each line.
    let lineStarts: [Int]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
        self.lineStarts = LineTable.starts(bytes)
    }

    public convenience init(path: String, text: String) {
        self.init(path: path, bytes: Array(text.utf8))
    }

    public var lineCount: Int { lineStarts.count }

    /// The 1-based line that holds byte `offset`.
    public func line(of offset: Int) -> Int {
        LineTable.index(of: offset, in: lineStarts) + 1
    }

    /// Byte range of a 1-based line, without its line terminator.
    public func lineRange(_ line: Int) -> Range<Int> {
        guard line >= 1, line <= lineStarts.count else { return bytes.count..<bytes.count }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] : bytes.count
        while end > start, bytes[end - 1] == UInt8(ascii: "\n") || bytes[end - 1] == UInt8(ascii: "\r") {
            end -= 1
        }
        return start..<end
    }

    /// The text of a 1-based line (invalid UTF-8 shown as U+FFFD).
    public func lineText(_ line: Int) -> String {
        let r = lineRange(line)
        return String(decoding: bytes[r], as: UTF8.self)
    }

    /// The 1-based column of byte `offset`, counted in characters as a
    /// person sees them (grapheme clusters: a decomposed `ä` is one column).
    public func column(of offset: Int) -> Int {
        let l = line(of: offset)
        let r = lineRange(l)
        let upto = min(max(offset, r.lowerBound), r.upperBound)
        var from = r.lowerBound
        // A byte-order mark is not a column.
        if l == 1, bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { from = min(3, upto) }
        let prefix = String(decoding: bytes[from..<upto], as: UTF8.self)
        return prefix.count + 1 + max(0, offset - r.upperBound)
    }

    public func location(of offset: Int) -> SourceLocation {
        SourceLocation(path: path, line: line(of: offset), column: column(of: offset))
    }

    /// The text of a byte range.
    public func text(_ range: Range<Int>) -> String {
        let lo = max(0, min(range.lowerBound, bytes.count))
        let hi = max(lo, min(range.upperBound, bytes.count))
        return String(decoding: bytes[lo..<hi], as: UTF8.self)
    }
}

/// A position as people read it: path, 1-based line and character column.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible, Codable {
    public var path: String
    public var line: Int
    public var column: Int
    public init(path: String, line: Int, column: Int) {
        self.path = path
        self.line = line
        self.column = column
    }
    public var description: String { "\(path):\(line):\(column)" }
}

/// A byte range in one source file.
///
/// Equality of spans is *always true*: syntax trees compare by structure
/// (Cedar's `Node<T>` habit), so parser tests and "the formatted policy
/// means the same" checks need no span stripping. Compare `start`/`end`
/// explicitly where positions matter.
public struct Span: Hashable, Sendable {
    public var file: SourceFile?
    public var start: Int
    public var end: Int

    public init(file: SourceFile?, start: Int, end: Int) {
        self.file = file
        self.start = start
        self.end = max(start, end)
    }

    public static let none = Span(file: nil, start: 0, end: 0)

    public static func == (a: Span, b: Span) -> Bool { true }
    public func hash(into hasher: inout Hasher) {}

    /// The smallest span covering both (same file assumed).
    public func to(_ other: Span) -> Span {
        Span(file: file ?? other.file, start: min(start, other.start), end: max(end, other.end))
    }

    public var isKnown: Bool { file != nil }

    public var location: SourceLocation? { file.map { $0.location(of: start) } }

    public var text: String { file?.text(start..<end) ?? "" }

    /// Whether two spans are the same place (unlike `==`, which ignores spans).
    public func samePlace(_ o: Span) -> Bool {
        file === o.file && start == o.start && end == o.end
    }

    /// Orders spans by file path then offset, for sorting diagnostics.
    public static func precedes(_ a: Span, _ b: Span) -> Bool {
        let pa = a.file?.path ?? ""
        let pb = b.file?.path ?? ""
        if pa != pb { return pa < pb }
        if a.start != b.start { return a.start < b.start }
        return a.end < b.end
    }
}

/// Where lines start in a text, and which line holds a byte: one definition
/// for diagnostics (`SourceFile`) and the language server's positions.
/// Lines end at `\n`, `\r\n` or `\r`.
public enum LineTable {
    /// The byte offset of the first byte of each line.
    public static func starts(_ bytes: [UInt8]) -> [Int] {
        var starts = [0]
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b == UInt8(ascii: "\n") {
                starts.append(i + 1)
            } else if b == UInt8(ascii: "\r") {
                if i + 1 < n, bytes[i + 1] == UInt8(ascii: "\n") { i += 1 }
                starts.append(i + 1)
            }
            i += 1
        }
        return starts
    }

    /// The 0-based line holding byte `offset`, given the lines' starts.
    public static func index(of offset: Int, in starts: [Int]) -> Int {
        var lo = 0
        var hi = starts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if starts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }
}
