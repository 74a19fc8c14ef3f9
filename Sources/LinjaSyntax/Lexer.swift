import Foundation
import LinjaBase

/// The result of lexing one file: tokens (ending with `.eof`), the comments
/// the formatter needs, and any lexical diagnostics.
public struct LexResult: Sendable {
    public var tokens: [Token]
    public var comments: [Comment]
    public var diagnostics: [Diagnostic]
}

/// A hand-written lexer over UTF-8 bytes. One pass, no backtracking beyond a
/// few bytes of lookahead; every malformed token is reported and lexing goes
/// on, so one run finds every lexical error.
public struct Lexer {
    let file: SourceFile
    let b: [UInt8]
    var i = 0
    var tokens: [Token] = []
    var comments: [Comment] = []
    var diagnostics: [Diagnostic] = []
    var lineHasToken = false

    public init(file: SourceFile) {
        self.file = file
        self.b = file.bytes
    }

    public static func lex(_ file: SourceFile) -> LexResult {
        var lx = Lexer(file: file)
        lx.run()
        return LexResult(tokens: lx.tokens, comments: lx.comments, diagnostics: lx.diagnostics)
    }

    func span(_ s: Int, _ e: Int) -> Span { Span(file: file, start: s, end: e) }

    mutating func error(_ code: DiagnosticCode, _ msg: String, _ s: Int, _ e: Int, help: String? = nil) {
        diagnostics.append(Diagnostic(code, msg, at: span(s, e), help: help))
    }

    mutating func emit(_ kind: TokenKind, _ text: String, _ s: Int, _ e: Int) {
        tokens.append(Token(kind: kind, text: text, start: s, end: e, atLineStart: !lineHasToken))
        lineHasToken = true
    }

    func peek(_ k: Int = 0) -> UInt8 { i + k < b.count ? b[i + k] : 0 }

    static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    static func isASCIILetter(_ c: UInt8) -> Bool { (c | 0x20) >= 97 && (c | 0x20) <= 122 }

    mutating func run() {
        if b.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        while i < b.count {
            let c = b[i]
            switch c {
            case UInt8(ascii: " "), UInt8(ascii: "\t"):
                i += 1
            case UInt8(ascii: "\n"):
                i += 1
                lineHasToken = false
            case UInt8(ascii: "\r"):
                i += 1
                if peek() == UInt8(ascii: "\n") { i += 1 }
                lineHasToken = false
            case UInt8(ascii: "#"):
                lexComment()
            case UInt8(ascii: "\""):
                lexString()
            case 48...57:
                lexNumber()
            default:
                if Self.isASCIILetter(c) || c == UInt8(ascii: "_") || c >= 0x80 {
                    if c >= 0x80, !startsLetter() {
                        lexUnexpectedNonASCII()
                    } else {
                        lexWord()
                    }
                } else {
                    lexPunctuation()
                }
            }
        }
        tokens.append(Token(kind: .eof, text: "", start: b.count, end: b.count, atLineStart: !lineHasToken))
        warnBidiControls()
    }

    /// Warns of each bidirectional control character in a comment or a
    /// string (elsewhere it is already an unexpected character): it can
    /// make a line read otherwise than it runs.
    mutating func warnBidiControls() {
        // E2 80 8E/8F (LRM, RLM), E2 80 AA…AE, E2 81 A6…A9, D8 9C (ALM).
        // Only where one of those lead bytes is (found in one quick pass:
        // most files have none, or a few `€` and `–`).
        let leads: [Int] = b.withUnsafeBufferPointer { p in
            var found: [Int] = []
            for k in 0..<p.count where p[k] == 0xE2 || p[k] == 0xD8 { found.append(k) }
            return found
        }
        var commentIndex = 0, tokenIndex = 0
        for k in leads where k + 1 < b.count {
            let len: Int
            if b[k] == 0xE2, k + 2 < b.count,
               (b[k + 1] == 0x80 && (b[k + 2] == 0x8E || b[k + 2] == 0x8F || (0xAA...0xAE).contains(b[k + 2])))
                || (b[k + 1] == 0x81 && (0xA6...0xA9).contains(b[k + 2])) {
                len = 3
            } else if b[k] == 0xD8, b[k + 1] == 0x9C {
                len = 2
            } else {
                continue
            }
            while commentIndex < comments.count, comments[commentIndex].end <= k { commentIndex += 1 }
            while tokenIndex < tokens.count, tokens[tokenIndex].end <= k { tokenIndex += 1 }
            let inComment = commentIndex < comments.count && comments[commentIndex].start <= k
            let inString = tokenIndex < tokens.count && tokens[tokenIndex].start <= k
                && tokens[tokenIndex].kind == .string
            if inComment || inString, let (u, _) = scalar(at: k) {
                let code = Self.codePoint(u)
                diagnostics.append(Diagnostic(.bidiControl, "a bidirectional control character (\(code) \(u.properties.name ?? "")) in a \(inComment ? "comment" : "string")",
                                              at: span(k, k + len),
                                              help: "it can make the line read otherwise than it runs; remove it, or write the text without it"))
            }
        }
    }

    mutating func lexComment() {
        let s = i
        let own = !lineHasToken
        while i < b.count, b[i] != UInt8(ascii: "\n"), b[i] != UInt8(ascii: "\r") { i += 1 }
        // Trailing white space is not part of the comment (nor of a doc comment's text).
        var e = i
        while e > s, b[e - 1] == UInt8(ascii: " ") || b[e - 1] == UInt8(ascii: "\t") { e -= 1 }
        let text = decodeChecked(s, e)
        let isDoc = text.hasPrefix("##")
        comments.append(Comment(text: text, start: s, end: e, isDoc: isDoc, ownLine: own))
    }

    /// Decodes a byte range, reporting invalid UTF-8 at its exact position.
    mutating func decodeChecked(_ s: Int, _ e: Int) -> String {
        // Nearly always valid: then no byte-by-byte walk is needed.
        if let valid = String(validating: b[s..<e], as: UTF8.self) { return valid }
        var k = s
        while k < e {
            let len = Self.utf8Length(b, k, e)
            if len == 0 {
                error(.invalidUTF8, "invalid UTF-8 byte 0x\(String(b[k], radix: 16, uppercase: true))", k, k + 1,
                      help: "save the file as UTF-8")
                k += 1
                // The rest of a broken sequence is the same mistake.
                while k < e, b[k] & 0xC0 == 0x80 { k += 1 }
            } else {
                k += len
            }
        }
        return String(decoding: b[s..<e], as: UTF8.self)
    }

    /// The length of the valid UTF-8 sequence at `k` (ending before `e`), or 0 when invalid.
    static func utf8Length(_ b: [UInt8], _ k: Int, _ e: Int) -> Int {
        let c = b[k]
        if c < 0x80 { return 1 }
        let need: Int
        let minimum: UInt32
        var v: UInt32
        if c & 0xE0 == 0xC0 { need = 1; minimum = 0x80; v = UInt32(c & 0x1F) }
        else if c & 0xF0 == 0xE0 { need = 2; minimum = 0x800; v = UInt32(c & 0x0F) }
        else if c & 0xF8 == 0xF0 { need = 3; minimum = 0x10000; v = UInt32(c & 0x07) }
        else { return 0 }
        guard k + need < min(e, b.count) else { return 0 }
        for j in 1...need {
            let cc = b[k + j]
            guard cc & 0xC0 == 0x80 else { return 0 }
            v = (v << 6) | UInt32(cc & 0x3F)
        }
        if v < minimum || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) { return 0 }
        return need + 1
    }

    /// The Unicode scalar at `i` (nil if the bytes there are not valid UTF-8).
    func scalar(at k: Int) -> (Unicode.Scalar, Int)? {
        let len = Self.utf8Length(b, k, b.count)
        guard len > 0 else { return nil }
        var v: UInt32
        switch len {
        case 1: return (Unicode.Scalar(b[k]), 1)
        case 2: v = UInt32(b[k] & 0x1F)
        case 3: v = UInt32(b[k] & 0x0F)
        default: v = UInt32(b[k] & 0x07)
        }
        for j in 1..<len { v = (v << 6) | UInt32(b[k + j] & 0x3F) }
        guard let u = Unicode.Scalar(v) else { return nil }
        return (u, len)
    }

    func startsLetter() -> Bool {
        guard let (u, _) = scalar(at: i) else { return false }
        return u.properties.isAlphabetic
    }

    static func continuesWord(_ u: Unicode.Scalar) -> Bool {
        if u.isASCII {
            let c = UInt8(u.value)
            return isASCIILetter(c) || isDigit(c) || c == UInt8(ascii: "_")
        }
        switch u.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return u.properties.isAlphabetic
        }
    }

    mutating func lexUnexpectedNonASCII() {
        let s = i
        if let (u, len) = scalar(at: i) {
            i += len
            let name: String
            switch u {
            case "≥": emit(.ge, "≥", s, i); return
            case "≤": emit(.le, "≤", s, i); return
            case "≠": emit(.neq, "≠", s, i); return
            case "€":
                error(.unexpectedCharacter, "`€` must follow an amount", s, i, help: "write the amount first: `100 €`")
                return
            case "“", "”", "„":
                name = "typographic quote `\(u)`"
                error(.unexpectedCharacter, "unexpected \(name)", s, i, help: "use a plain double quote `\"`")
                emit(.invalid, String(u), s, i)
                return
            case "–", "—":
                error(.unexpectedCharacter, "unexpected dash `\(u)`", s, i, help: "use `-` for minus, or quote the name")
                emit(.invalid, String(u), s, i)
                return
            default:
                name = "`\(u)` (U+\(String(u.value, radix: 16, uppercase: true)))"
            }
            error(.unexpectedCharacter, "unexpected character \(name)", s, i)
            emit(.invalid, String(u), s, i)
        } else {
            i += 1
            while i < b.count, b[i] & 0xC0 == 0x80 { i += 1 }
            error(.invalidUTF8, "invalid UTF-8 byte 0x\(String(b[s], radix: 16, uppercase: true))", s, s + 1,
                  help: "save the file as UTF-8")
        }
    }

    mutating func lexWord() {
        let s = i
        while i < b.count {
            if b[i] < 0x80 {
                let c = b[i]
                if Self.isASCIILetter(c) || Self.isDigit(c) || c == UInt8(ascii: "_") { i += 1; continue }
                break
            }
            guard let (u, len) = scalar(at: i) else {
                // A byte that is not UTF-8 (a Latin-1 `ä`): reported once, and
                // kept in the name so that one mistake gives one error.
                let bad = i
                i += 1
                while i < b.count, b[i] & 0xC0 == 0x80 { i += 1 }
                error(.invalidUTF8, "invalid UTF-8 byte 0x\(String(b[bad], radix: 16, uppercase: true))", bad, bad + 1,
                      help: "save the file as UTF-8")
                continue
            }
            guard Self.continuesWord(u) else { break }
            i += len
        }
        let ascii = !b[s..<i].contains(where: { $0 >= 0x80 })
        var text = String(decoding: b[s..<i], as: UTF8.self)
        if !ascii { text = text.precomposedNFC }
        if ascii, i - s <= Keyword.longest, let kw = Keyword.byText[text] {
            emit(.keyword(kw), text, s, i)
        } else {
            if !ascii { warnMixedScript(text, s, i) }
            emit(.identifier, text, s, i)
        }
    }

    /// `U+0456`: a code point as Unicode writes it.
    static func codePoint(_ u: Unicode.Scalar) -> String {
        let hex = String(u.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// The scripts whose letters look alike, by code point; other letters
    /// (and digits, `_`, marks) mix with anything.
    enum Script: String { case Latin, Greek, Cyrillic, Armenian, Cherokee }

    static func script(_ u: Unicode.Scalar) -> Script? {
        switch u.value {
        case 0x41...0x5A, 0x61...0x7A, 0xC0...0x24F, 0x1E00...0x1EFF, 0xFF21...0xFF3A, 0xFF41...0xFF5A: return .Latin
        case 0x370...0x3FF, 0x1F00...0x1FFF: return .Greek
        case 0x400...0x52F, 0x1C80...0x1C8F, 0x2DE0...0x2DFF, 0xA640...0xA69F: return .Cyrillic
        case 0x531...0x58F: return .Armenian
        case 0x13A0...0x13FF, 0xAB70...0xABBF: return .Cherokee
        default: return nil
        }
    }

    /// Warns of a name whose letters come from two of the scripts that
    /// look alike: `lіmit` with a Cyrillic `і` is not `limit`.
    mutating func warnMixedScript(_ text: String, _ s: Int, _ e: Int) {
        var first: (Script, Unicode.Scalar)?
        for u in text.unicodeScalars {
            guard let sc = Self.script(u) else { continue }
            guard let (f, fu) = first else { first = (sc, u); continue }
            guard sc != f else { continue }
            // Name the letter of the script that is in the minority: the odd one out.
            let counts = text.unicodeScalars.reduce(into: [Script: Int]()) { c, x in if let y = Self.script(x) { c[y, default: 0] += 1 } }
            let odd = (counts[sc] ?? 0) <= (counts[f] ?? 0) ? u : fu
            let oddScript = Self.script(odd) ?? sc
            diagnostics.append(Diagnostic(.mixedScript, "`\(text)` mixes \(f.rawValue) and \(sc.rawValue) letters",
                                          at: span(s, e),
                                          help: "`\(odd)` is \(oddScript.rawValue) (\(Self.codePoint(odd)) \(odd.properties.name ?? "")); a name in one script cannot pass for another"))
            return
        }
    }

    mutating func lexString() {
        let s = i
        if peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") {
            lexTripleString()
            return
        }
        i += 1
        // A string without escapes is its bytes as they are.
        var j = i
        while j < b.count, b[j] != UInt8(ascii: "\""), b[j] != UInt8(ascii: "\\"), b[j] != UInt8(ascii: "\n"), b[j] != UInt8(ascii: "\r") {
            j += 1
        }
        if j < b.count, b[j] == UInt8(ascii: "\"") {
            let text = decodeChecked(i, j)
            i = j + 1
            emit(.string, text, s, i)
            return
        }
        var bytes: [UInt8] = []
        while true {
            guard i < b.count, b[i] != UInt8(ascii: "\n"), b[i] != UInt8(ascii: "\r") else {
                error(.unterminatedString, "unterminated string", s, i,
                      help: "close it with `\"` on the same line, or use `\"\"\"` for text over several lines")
                emit(.invalid, String(decoding: bytes, as: UTF8.self), s, i)
                return
            }
            let c = b[i]
            if c == UInt8(ascii: "\"") { i += 1; break }
            if c == UInt8(ascii: "\\") {
                lexEscape(into: &bytes)
                continue
            }
            bytes.append(c)
            i += 1
        }
        _ = decodeChecked(s + 1, i - 1)
        emit(.string, String(decoding: bytes, as: UTF8.self), s, i)
    }

    mutating func lexEscape(into bytes: inout [UInt8]) {
        let s = i
        i += 1
        guard i < b.count else { return }
        let c = b[i]
        i += 1
        switch c {
        case UInt8(ascii: "n"): bytes.append(10)
        case UInt8(ascii: "t"): bytes.append(9)
        case UInt8(ascii: "\""): bytes.append(34)
        case UInt8(ascii: "\\"): bytes.append(92)
        case UInt8(ascii: "u"):
            guard peek() == UInt8(ascii: "{") else {
                error(.invalidEscape, "expected `{` after `\\u`", s, i, help: "write `\\u{E4}` for ä")
                return
            }
            i += 1
            var v: UInt32 = 0
            var digits = 0
            while i < b.count, let h = Self.hexValue(b[i]), digits < 8 {
                v = v &* 16 &+ UInt32(h)
                digits += 1
                i += 1
            }
            guard peek() == UInt8(ascii: "}"), digits > 0, let u = Unicode.Scalar(v) else {
                if peek() == UInt8(ascii: "}") { i += 1 }
                error(.invalidEscape, "invalid Unicode escape", s, i, help: "write `\\u{E4}` for ä")
                return
            }
            i += 1
            bytes.append(contentsOf: Array(String(u).utf8))
        default:
            error(.invalidEscape, "unknown escape `\\\(Unicode.Scalar(c))`", s, i,
                  help: "the escapes are `\\\"`, `\\\\`, `\\n`, `\\t` and `\\u{…}`")
        }
    }

    static func hexValue(_ c: UInt8) -> Int? {
        switch c {
        case 48...57: return Int(c - 48)
        case 65...70: return Int(c - 55)
        case 97...102: return Int(c - 87)
        default: return nil
        }
    }

    /// `"""` text over several lines; the common indentation of its lines is removed.
    mutating func lexTripleString() {
        let s = i
        i += 3
        let bodyStart = i
        while i < b.count {
            if b[i] == UInt8(ascii: "\""), peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") {
                let raw = decodeChecked(bodyStart, i)
                i += 3
                emit(.string, Self.dedent(raw), s, i)
                // A triple-quoted string may span lines: the next token is on a new line only if a newline follows.
                return
            }
            i += 1
        }
        error(.unterminatedString, "unterminated `\"\"\"` string", s, s + 3, help: "close it with `\"\"\"`")
        emit(.invalid, "", s, i)
    }

    static func dedent(_ raw: String) -> String {
        var lines = raw.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        if let first = lines.first, first.allSatisfy({ $0 == " " || $0 == "\t" }) { lines.removeFirst() }
        if let last = lines.last, last.allSatisfy({ $0 == " " || $0 == "\t" }) { lines.removeLast() }
        let indents = lines.filter { !$0.allSatisfy { $0 == " " || $0 == "\t" } }
            .map { $0.prefix { $0 == " " || $0 == "\t" }.count }
        let cut = indents.min() ?? 0
        return lines.map { String($0.dropFirst(min(cut, $0.prefix { $0 == " " || $0 == "\t" }.count))) }
            .joined(separator: "\n")
    }

    mutating func digits() -> String {
        var out = ""
        while i < b.count, Self.isDigit(b[i]) || (b[i] == UInt8(ascii: "_") && Self.isDigit(peek(1))) {
            if b[i] != UInt8(ascii: "_") { out.unicodeScalars.append(Unicode.Scalar(b[i])) }
            i += 1
        }
        return out
    }

    mutating func lexNumber() {
        let s = i
        var text = digits()
        // Dates and periods: exactly four digits, then `-`.
        if i - s == 4, peek() == UInt8(ascii: "-") {
            if Self.isDigit(peek(1)), Self.isDigit(peek(2)), !Self.isDigit(peek(3)) {
                if peek(3) == UInt8(ascii: "-"), Self.isDigit(peek(4)), Self.isDigit(peek(5)), !Self.isDigit(peek(6)) {
                    i += 6
                    let t = String(decoding: b[s..<i], as: UTF8.self)
                    let y = Int(t.prefix(4)) ?? 0, m = Int(t.dropFirst(5).prefix(2)) ?? 0, d = Int(t.suffix(2)) ?? 0
                    if Day(year: y, month: m, day: d) == nil {
                        error(.invalidDate, "`\(t)` is not a calendar date", s, i,
                              help: m >= 1 && m <= 12 ? "\(Self.monthName(m)) \(y) has \(Day.daysIn(month: m, year: y)) days" : "months run from 01 to 12")
                        emit(.invalid, t, s, i)
                    } else {
                        emit(.date, t, s, i)
                    }
                    return
                }
                i += 3
                let t = String(decoding: b[s..<i], as: UTF8.self)
                let m = Int(t.suffix(2)) ?? 0
                if m < 1 || m > 12 {
                    error(.invalidPeriod, "`\(t)` is not a month", s, i, help: "months run from 01 to 12")
                    emit(.invalid, t, s, i)
                } else {
                    emit(.period, t, s, i)
                }
                return
            }
            if peek(1) == UInt8(ascii: "Q"), Self.isDigit(peek(2)), !Self.isDigit(peek(3)), !Self.isASCIILetter(peek(3)) {
                i += 3
                let t = String(decoding: b[s..<i], as: UTF8.self)
                if let q = Int(t.suffix(1)), q >= 1, q <= 4 {
                    emit(.period, t, s, i)
                } else {
                    error(.invalidPeriod, "`\(t)` is not a quarter", s, i, help: "quarters are Q1 to Q4")
                    emit(.invalid, t, s, i)
                }
                return
            }
        }
        if peek() == UInt8(ascii: "."), Self.isDigit(peek(1)) {
            i += 1
            text += "." + digits()
        }
        let numberEnd = i
        if text.count > 30 {
            error(.invalidNumber, "number is too long", s, i)
            emit(.invalid, text, s, i)
            return
        }
        // A unit attached or after spaces on the same line.
        var j = i
        while j < b.count, b[j] == UInt8(ascii: " ") || b[j] == UInt8(ascii: "\t") { j += 1 }
        let attached = j == i
        if j < b.count, b[j] == UInt8(ascii: "%") {
            i = j + 1
            emit(.percent, text, s, i)
            return
        }
        if b[j...].starts(with: Array("€".utf8)) {
            i = j + 3
            emit(.money(millions: false), text, s, i)
            return
        }
        if b[j...].starts(with: Array("M€".utf8)) {
            i = j + 4
            emit(.money(millions: true), text, s, i)
            return
        }
        // A word right after the number: a unit, or (with a space) the next token.
        let save = i
        i = j
        if j < b.count, Self.isASCIILetter(b[j]) || b[j] >= 0x80 {
            let ws = i
            while i < b.count {
                if b[i] < 0x80 {
                    if Self.isASCIILetter(b[i]) || Self.isDigit(b[i]) || b[i] == UInt8(ascii: "_") { i += 1; continue }
                    break
                }
                guard let (u, len) = scalar(at: i), Self.continuesWord(u) else { break }
                i += len
            }
            let word = String(decoding: b[ws..<i], as: UTF8.self).precomposedNFC
            if word.isEmpty {
                // Not a word at all (a dash, a quote): the number ends here.
                i = save
                emit(.number, text, s, numberEnd)
                return
            }
            if word == "EUR" {
                emit(.money(millions: false), text, s, i)
                return
            }
            if word == "working" || word == "working_days" {
                // `10 working days`
                var k = i
                while k < b.count, b[k] == UInt8(ascii: " ") { k += 1 }
                if word == "working_days" || b[k...].starts(with: Array("days".utf8)) || b[k...].starts(with: Array("day".utf8)) {
                    if word == "working" { i = k + (b[k...].starts(with: Array("days".utf8)) ? 4 : 3) }
                    try_duration(text, .workingDays, s)
                    return
                }
            }
            if let unit = DurationUnit.words[word] {
                try_duration(text, unit, s)
                return
            }
            if attached {
                let suggestion = Self.closestUnit(word)
                error(.unknownUnit, "unknown unit `\(word)`", ws, i,
                      help: suggestion.map { "did you mean `\($0)`?" } ?? "units are days, weeks, months, years (vrk, vk, kk, v), %, €")
                emit(.invalid, text, s, i)
                return
            }
        }
        i = save
        emit(.number, text, s, numberEnd)
    }

    mutating func try_duration(_ text: String, _ unit: DurationUnit, _ s: Int) {
        if text.contains(".") {
            error(.invalidNumber, "a duration is a whole number of \(unit.rawValue)", s, i,
                  help: "write e.g. `6 weeks` or `45 days` instead of a fraction")
            emit(.invalid, text, s, i)
            return
        }
        emit(.duration(unit), text, s, i)
    }

    static func closestUnit(_ word: String) -> String? {
        let all = Array(DurationUnit.words.keys) + ["EUR"]
        return Suggest.closest(word, among: all, maxDistance: 2)
    }

    static func monthName(_ m: Int) -> String {
        ["January", "February", "March", "April", "May", "June", "July", "August", "September",
         "October", "November", "December"][max(0, min(11, m - 1))]
    }

    mutating func lexPunctuation() {
        let s = i
        let c = b[i]
        let n = peek(1)
        func one(_ k: TokenKind) { i += 1; emit(k, String(Unicode.Scalar(c)), s, i) }
        func two(_ k: TokenKind, _ t: String) { i += 2; emit(k, t, s, i) }
        switch c {
        case UInt8(ascii: "{"): one(.lbrace)
        case UInt8(ascii: "}"): one(.rbrace)
        case UInt8(ascii: "("): one(.lparen)
        case UInt8(ascii: ")"): one(.rparen)
        case UInt8(ascii: "["): one(.lbracket)
        case UInt8(ascii: "]"): one(.rbracket)
        case UInt8(ascii: ","): one(.comma)
        case UInt8(ascii: ":"): one(.colon)
        case UInt8(ascii: "."): one(.dot)
        case UInt8(ascii: "|"): one(.pipe)
        case UInt8(ascii: "?"): one(.question)
        case UInt8(ascii: "+"): one(.plus)
        case UInt8(ascii: "-"): one(.minus)
        case UInt8(ascii: "*"): one(.star)
        case UInt8(ascii: "/"): one(.slash)
        case UInt8(ascii: "="):
            if n == UInt8(ascii: "=") { two(.eqeq, "==") }
            else if n == UInt8(ascii: ">") { two(.arrow, "=>") }
            else { one(.eq) }
        case UInt8(ascii: "!"):
            if n == UInt8(ascii: "=") { two(.neq, "!=") } else {
                i += 1
                error(.unexpectedCharacter, "unexpected `!`", s, i, help: "write `not` for negation, `!=` for inequality")
                emit(.invalid, "!", s, i)
            }
        case UInt8(ascii: "<"):
            if n == UInt8(ascii: "=") { two(.le, "<=") } else if n == UInt8(ascii: ">") { two(.neq, "<>") } else { one(.lt) }
        case UInt8(ascii: ">"):
            if n == UInt8(ascii: "=") { two(.ge, ">=") } else { one(.gt) }
        case UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: ";"), UInt8(ascii: "%"), UInt8(ascii: "@"),
             UInt8(ascii: "$"), UInt8(ascii: "^"), UInt8(ascii: "~"), UInt8(ascii: "`"), UInt8(ascii: "\\"):
            i += 1
            let ch = String(Unicode.Scalar(c))
            let help: String?
            switch ch {
            case "&": help = "write `and`"
            case "'": help = "names and text use double quotes: `\"Mänttä-Vilppula\"`"
            case "%": help = "a percentage follows its number: `75 %`"
            default: help = nil
            }
            error(.unexpectedCharacter, "unexpected character `\(ch)`", s, i, help: help)
            emit(.invalid, ch, s, i)
        default:
            i += 1
            let desc = c < 0x20 || c == 0x7F ? "control character 0x\(String(c, radix: 16, uppercase: true))" : "character `\(Unicode.Scalar(c))`"
            error(.unexpectedCharacter, "unexpected \(desc)", s, i)
            emit(.invalid, "", s, i)
        }
    }
}
