// Drawing the line being edited on a terminal.

import Foundation
import Glibc
import Synchronization

// MARK: - Rendering

/// Escape sequences that draw the prompt and line; pure, so it can be tested.
///
/// The line is drawn on one terminal row. A line too long for the row
/// scrolls sideways to keep the cursor visible; the last column is kept
/// free so the terminal never wraps.
enum LineRenderer {
    static let clearToEndOfLine = "\u{1B}[0K"

    /// Whether prompt and line fit on one row without scrolling.
    static func fits(prompt: String, characters: [Character], columns: Int) -> Bool {
        let promptWidth = DisplayWidth.columns(ofPrompt: prompt)
        let usable = max(columns, 2) - 1
        return promptWidth < usable && promptWidth + DisplayWidth.columns(of: String(characters)) <= usable
    }

    /// Carriage return, prompt, the visible part of the line, clear to end
    /// of line, then the cursor moved to its column.
    static func refresh(prompt: String, characters: [Character], cursor: Int, columns: Int) -> String {
        let usable = max(columns, 2) - 1
        var shownPrompt = prompt
        var promptWidth = DisplayWidth.columns(ofPrompt: prompt)
        if promptWidth >= usable {
            // A prompt wider than the terminal leaves no room: drop it.
            shownPrompt = ""
            promptWidth = 0
        }
        let room = usable - promptWidth
        let cursor = min(max(cursor, 0), characters.count)
        let widths = characters.map { DisplayWidth.columns(of: $0) }

        // First visible character: as early as possible with the cursor in view.
        var start = 0
        var widthToCursor = widths[..<cursor].reduce(0, +)
        while widthToCursor > room, start < cursor {
            widthToCursor -= widths[start]
            start += 1
        }
        var end = start
        var shownWidth = 0
        while end < characters.count, shownWidth + widths[end] <= room {
            shownWidth += widths[end]
            end += 1
        }

        var output = "\r" + shownPrompt + String(characters[start..<end]) + clearToEndOfLine + "\r"
        let column = promptWidth + widthToCursor
        if column > 0 { output += "\u{1B}[\(column)C" }
        return output
    }

    /// Candidates in columns, down then across like `ls`, rows joined by
    /// CR LF (raw mode does not turn LF into CR LF).
    static func completionList(_ candidates: [String], columns: Int, limit: Int = 200) -> String {
        let shown = candidates.prefix(limit).map(printable)
        guard !shown.isEmpty else { return "" }
        let widths = shown.map { DisplayWidth.columns(of: $0) }
        let cellWidth = (widths.max() ?? 0) + 2
        let perRow = max(1, max(columns, 1) / max(cellWidth, 1))
        let rows = (shown.count + perRow - 1) / perRow
        var lines: [String] = []
        for row in 0..<rows {
            var line = ""
            var index = row
            while index < shown.count {
                let isLastInRow = index + rows >= shown.count
                line += shown[index]
                if !isLastInRow { line += String(repeating: " ", count: cellWidth - widths[index]) }
                index += rows
            }
            lines.append(line)
        }
        if candidates.count > limit { lines.append("(\(candidates.count - limit) more)") }
        return lines.joined(separator: "\r\n")
    }

    /// Control characters in a candidate would move the cursor; drop them.
    private static func printable(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: text.unicodeScalars.filter { $0.value >= 0x20 && !(0x7F...0x9F).contains($0.value) })
        return String(scalars)
    }
}
