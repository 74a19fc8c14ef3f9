import Foundation
import Linja

/// Formatting: exactly what `linja fmt` gives, for the whole document or
/// for the declarations a range overlaps.
extension LanguageServer {
    func formatting(_ params: JSONValue?) throws -> JSONValue {
        let doc = try document(params)
        guard let text = formatted(doc) else { return .array([]) }
        return .array(Self.edits(from: doc.map, to: Array(text.utf8)))
    }

    /// The canonical text, or nil for a file with syntax errors (its
    /// diagnostics already say why; formatting on save must not complain).
    func formatted(_ doc: TextDocument) -> String? {
        let path = doc.path.map(Paths.display) ?? doc.uri
        return FormatFiles.format(path: path, bytes: doc.bytes).formatted
    }

    func rangeFormatting(_ params: JSONValue?) throws -> JSONValue {
        let doc = try document(params)
        guard let range = LSPRange(params?["range"]) else { throw LSPError.invalidParams("no range") }
        guard let text = formatted(doc) else { return .array([]) }
        let lo = doc.map.offset(of: range.start)
        let hi = doc.map.offset(of: range.end)
        let before = Parser.parse(SourceFile(path: "<range>", bytes: doc.bytes)).declarations
        let afterBytes = Array(text.utf8)
        let after = Parser.parse(SourceFile(path: "<range>", bytes: afterBytes)).declarations
        let overlapping = before.indices.filter { i in
            let s = before[i].span
            return s.start <= max(hi, lo) && lo <= s.end
        }
        guard let first = overlapping.first, let last = overlapping.last else { return .array([]) }
        // The formatter keeps the declarations and their order; if that ever
        // failed to hold, formatting the whole document is the safe answer.
        guard before.count == after.count else { return .array(Self.edits(from: doc.map, to: afterBytes)) }
        let old = Self.lines(doc.map, from: before[first].span.start, to: before[last].span.end)
        let newMap = LineMap(bytes: afterBytes)
        let new = Self.lines(newMap, from: after[first].span.start, to: after[last].span.end)
        let oldText = Array(doc.bytes[old])
        let newText = Array(afterBytes[new])
        if oldText == newText { return .array([]) }
        return .array([["range": doc.map.range(old).json, "newText": .string(String(decoding: newText, as: UTF8.self))]])
    }

    /// Whole lines from the line holding `from` through the line holding the
    /// last byte before `to`, with that line's terminator.
    static func lines(_ map: LineMap, from: Int, to: Int) -> Range<Int> {
        let firstLine = map.line(of: from)
        let lastLine = map.line(of: max(from, to - 1))
        let start = map.lineStarts[firstLine]
        let end = lastLine + 1 < map.lineStarts.count ? map.lineStarts[lastLine + 1] : map.bytes.count
        return start..<max(start, end)
    }

    /// One edit replacing the lines that differ (the common leading and
    /// trailing lines are kept, so the editor's cursor and marks stay put).
    static func edits(from map: LineMap, to new: [UInt8]) -> [JSONValue] {
        let old = map.bytes
        if old == new { return [] }
        let oldLines = splitLines(old)
        let newLines = splitLines(new)
        var head = 0
        while head < oldLines.count, head < newLines.count, old[oldLines[head]] == new[newLines[head]] { head += 1 }
        var tail = 0
        while tail < oldLines.count - head, tail < newLines.count - head,
              old[oldLines[oldLines.count - 1 - tail]] == new[newLines[newLines.count - 1 - tail]] { tail += 1 }
        let oldStart = head < oldLines.count ? oldLines[head].lowerBound : old.count
        let oldEnd = tail > 0 ? oldLines[oldLines.count - tail].lowerBound : old.count
        let newStart = head < newLines.count ? newLines[head].lowerBound : new.count
        let newEnd = tail > 0 ? newLines[newLines.count - tail].lowerBound : new.count
        let text = String(decoding: new[newStart..<max(newStart, newEnd)], as: UTF8.self)
        return [["range": map.range(oldStart..<max(oldStart, oldEnd)).json, "newText": .string(text)]]
    }

    /// Byte ranges of lines, each with its terminator.
    static func splitLines(_ b: [UInt8]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start = 0
        var i = 0
        while i < b.count {
            if b[i] == 0x0A {
                out.append(start..<(i + 1))
                start = i + 1
            } else if b[i] == 0x0D {
                if i + 1 < b.count, b[i + 1] == 0x0A { i += 1 }
                out.append(start..<(i + 1))
                start = i + 1
            }
            i += 1
        }
        if start < b.count { out.append(start..<b.count) }
        return out
    }
}
