/// Text from client data or rule files, made safe to show on a terminal.
///
/// A client id with a newline would forge a row of a table, and an escape
/// sequence (ESC `[`…) in an id, a field or a rule file would reach the
/// terminal as a command: it can recolour, move the cursor, hide text or
/// set the window title. Control characters (C0, DEL, C1) and the Unicode
/// controls that reorder text (bidi embeddings, overrides and isolates, the
/// "Trojan Source" characters) are shown instead as escapes: `\n`, `\t`,
/// `\r`, and `\u{1B}` for the rest. Machine formats (JSON, CSV) keep the
/// data as it is; this is for what people read.
public enum TerminalText {
    /// `s` with every control character shown as an escape. With
    /// `keepingTabs`, tabs stay (a source line shown with a caret under it
    /// keeps its indentation).
    public static func visible(_ s: String, keepingTabs: Bool = false) -> String {
        guard s.unicodeScalars.contains(where: { needsEscape($0, keepingTabs: keepingTabs) }) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 8)
        for u in s.unicodeScalars {
            guard needsEscape(u, keepingTabs: keepingTabs) else {
                out.unicodeScalars.append(u)
                continue
            }
            out += escape(u)
        }
        return out
    }

    /// The escape a character is shown as.
    public static func escape(_ u: Unicode.Scalar) -> String {
        switch u {
        case "\n": return "\\n"
        case "\t": return "\\t"
        case "\r": return "\\r"
        default: return "\\u{" + String(u.value, radix: 16, uppercase: true) + "}"
        }
    }

    static func needsEscape(_ u: Unicode.Scalar, keepingTabs: Bool) -> Bool {
        switch u.value {
        case 0x09: return !keepingTabs
        case 0x00...0x1F, 0x7F...0x9F: return true
        default: return isBidiControl(u)
        }
    }

    /// The characters that change the order text is shown in: LRM, RLM,
    /// ALM, the embeddings and overrides (U+202A–U+202E) and the isolates
    /// (U+2066–U+2069).
    public static func isBidiControl(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x200E, 0x200F, 0x061C, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }
}
