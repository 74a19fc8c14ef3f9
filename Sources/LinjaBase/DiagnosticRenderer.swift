/// Turns diagnostics into text people read (`path:line:col: error[L404]: …`,
/// the source line, a caret under the span) or JSON for editors and scripts.
/// In text, control characters from the rule files (in a quoted line, a
/// name, a path) are shown as escapes (`TerminalText`), never sent to the
/// terminal.
public struct DiagnosticRenderer: Sendable {
    public var color: Bool

    public init(color: Bool = false) { self.color = color }

    private func paint(_ s: String, _ code: String) -> String {
        color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s
    }

    /// One diagnostic as text, ending with a newline.
    public func render(_ d: Diagnostic) -> String {
        var out = ""
        let sev: String
        switch d.severity {
        case .error: sev = paint("error", "1;31")
        case .warning: sev = paint("warning", "1;33")
        case .note: sev = paint("note", "1;36")
        }
        let visible = { (s: String) in TerminalText.visible(s) }
        let loc = d.location.map { "\(visible($0.description)): " } ?? ""
        out += "\(paint(loc, "1"))\(sev)[\(d.code.rawValue)]: \(paint(visible(d.message), "1"))\n"
        out += snippet(d.span, marker: "^")
        if let help = d.help {
            out += "   \(paint("help", "1;32")): \(visible(help))\n"
        }
        for note in d.notes {
            if let s = note.span, let l = s.location {
                out += "   \(paint("note", "1;36")): \(visible(note.message)) (\(visible(l.description)))\n"
                out += snippet(s, marker: "-")
            } else {
                out += "   \(paint("note", "1;36")): \(visible(note.message))\n"
            }
        }
        return out
    }

    /// The source line of a span with a caret or underline under it.
    func snippet(_ span: Span, marker: Character) -> String {
        guard let file = span.file else { return "" }
        let line = file.line(of: span.start)
        let range = file.lineRange(line)
        let text = TerminalText.visible(file.lineText(line), keepingTabs: true)
        let gutter = String(line)
        let pad = String(repeating: " ", count: gutter.count)
        // Characters before the span, and under it (to the end of the line).
        let startInLine = min(max(span.start, range.lowerBound), range.upperBound)
        let endInLine = min(max(span.end, startInLine), range.upperBound)
        // Measured as shown: an escaped control character is several columns wide.
        let before = TerminalText.visible(String(decoding: file.bytes[range.lowerBound..<startInLine], as: UTF8.self), keepingTabs: true)
        let under = TerminalText.visible(String(decoding: file.bytes[startInLine..<endInLine], as: UTF8.self), keepingTabs: true)
        var prefix = ""
        for ch in before { prefix.append(ch == "\t" ? "\t" : " ") }
        let width = max(1, under.count)
        let marks = String(repeating: marker, count: width)
        var out = ""
        out += "\(paint(pad + " |", "1;34"))\n"
        out += "\(paint(gutter + " |", "1;34")) \(text)\n"
        out += "\(paint(pad + " |", "1;34")) \(prefix)\(paint(marks, marker == "^" ? "1;31" : "1;36"))\n"
        return out
    }

    /// All diagnostics as text, followed by a one-line count when any.
    public func render(_ ds: [Diagnostic], summary: Bool = true) -> String {
        var out = ""
        for d in ds { out += render(d) }
        if summary {
            let e = ds.filter { $0.severity == .error }.count
            let w = ds.filter { $0.severity == .warning }.count
            if e + w > 0 {
                var parts: [String] = []
                if e > 0 { parts.append("\(e) error\(e == 1 ? "" : "s")") }
                if w > 0 { parts.append("\(w) warning\(w == 1 ? "" : "s")") }
                out += parts.joined(separator: ", ") + "\n"
            }
        }
        return out
    }

    public static func json(_ d: Diagnostic) -> JSON {
        var pairs: [(String, JSON)] = [
            ("code", .string(d.code.rawValue)),
            ("name", .string(d.code.name)),
            ("severity", .string(d.severity.rawValue)),
            ("message", .string(d.message)),
        ]
        pairs += locationPairs(d.span)
        if let h = d.help { pairs.append(("help", .string(h))) }
        if !d.notes.isEmpty {
            pairs.append(("notes", .array(d.notes.map { n in
                var p: [(String, JSON)] = [("message", .string(n.message))]
                if let s = n.span { p += locationPairs(s) }
                return .object(p)
            })))
        }
        return .object(pairs)
    }

    static func locationPairs(_ s: Span) -> [(String, JSON)] {
        guard let f = s.file else { return [] }
        let a = f.location(of: s.start), b = f.location(of: s.end)
        return [("file", .string(f.path)), ("line", .int(a.line)), ("column", .int(a.column)),
                ("endLine", .int(b.line)), ("endColumn", .int(b.column))]
    }

    public static func json(_ ds: [Diagnostic]) -> JSON {
        .object([
            ("errors", .int(ds.filter { $0.severity == .error }.count)),
            ("warnings", .int(ds.filter { $0.severity == .warning }.count)),
            ("diagnostics", .array(ds.map(json))),
        ])
    }
}
