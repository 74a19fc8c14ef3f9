#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import LinjaBase
import LinjaSyntax
import LinjaModel

/// A problem with a data file, named by its row and column as a spreadsheet
/// numbers them: the header is row 1 (when it is on the first line), every
/// line break outside quotes starts a new row, so a blank line is a row too,
/// and a record with line breaks inside quotes is one row. When the row's
/// first line in the file is not its row number (an earlier record held
/// line breaks inside quotes), the line is named as well.
///
/// Positions are kept as numbers, never inside `message`: a worker that
/// reads part of a file knows them only relative to its part, and they are
/// moved to the file's numbering before anything is printed.
public struct DataIssue: Error, Sendable, CustomStringConvertible, Equatable {
    public var path: String
    public var row: Int
    public var column: Int?
    public var field: String?
    /// What is wrong, without the positions (they are added by `message`).
    public var text: String
    /// The line of the file where the problem is (the row's first line, or
    /// the line of a quote), named when it differs from `row`.
    public var line: Int
    /// The row where an id was first seen, for a repeated id.
    public var earlierRow: Int?
    /// A character position on the line (JSON Lines), named as
    /// "(line L, column C)".
    public var character: Int?

    public init(path: String, row: Int, column: Int? = nil, field: String? = nil, message: String,
                line: Int? = nil, earlierRow: Int? = nil, character: Int? = nil) {
        self.path = path
        self.row = row
        self.column = column
        self.field = field
        self.text = message
        self.line = line ?? row
        self.earlierRow = earlierRow
        self.character = character
    }

    /// What is wrong, with the positions the text refers to: "duplicate id
    /// 'A1' (first on row 2)", "… (line 7)". Setting it sets `text`.
    public var message: String {
        get {
            var s = text
            if let e = earlierRow { s += " (first on row \(e))" }
            if let c = character {
                s += " (line \(line), column \(c))"
            } else if line != row {
                s += " (line \(line))"
            }
            return s
        }
        set { text = newValue }
    }

    /// The same issue with its row and line moved by `rows` and `lines`
    /// (from a part's numbering to the file's).
    public func shifted(rows: Int, lines: Int) -> DataIssue {
        var copy = self
        copy.row += rows
        copy.line += lines
        return copy
    }

    /// The issue as people read it; control characters from the data (an
    /// escape sequence in a value the message quotes) are shown as escapes.
    public var description: String {
        var s = "\(path):\(row)"
        if let c = column { s += ":\(c)" }
        s += ": "
        if let f = field { s += "field '\(f)': " }
        return TerminalText.visible(s + message)
    }
}

/// An exact-bytes lookup table (open addressing, FNV-1a), so that the common
/// case of reading a code or name as written costs no `String`. Its memory
/// is its own and never changes, so the hot loop reads it through `view`,
/// a plain value of pointers, without reference counting.
public final class ByteTable: @unchecked Sendable {
    /// A table's memory as plain pointers, valid while the table lives.
    struct View {
        let bytes: UnsafePointer<UInt8>
        /// Per slot: offset (-1 when empty), length, value.
        let offsets: UnsafePointer<Int32>
        let lengths: UnsafePointer<Int32>
        let values: UnsafePointer<Int64>
        let mask: Int

        @inline(__always)
        func get(_ key: UnsafePointer<UInt8>, _ count: Int) -> Int64? {
            guard count > 0 else { return nil }
            var i = ByteTable.hash(key, count) & mask
            while offsets[i] >= 0 {
                if Int(lengths[i]) == count, memcmp(bytes + Int(offsets[i]), key, count) == 0 { return values[i] }
                i = (i &+ 1) & mask
            }
            return nil
        }
    }

    let view: View
    private let storage: UnsafeMutableRawPointer

    init(_ entries: [(String, Int64)]) {
        var size = 16
        while size < entries.count * 4 { size <<= 1 }
        let mask = size - 1
        var bytes: [UInt8] = []
        var off = [Int32](repeating: -1, count: size)
        var len = [Int32](repeating: 0, count: size)
        var val = [Int64](repeating: 0, count: size)
        for (k, v) in entries {
            let kb = Array(k.utf8)
            guard !kb.isEmpty else { continue }
            var i = kb.withUnsafeBufferPointer { ByteTable.hash($0.baseAddress!, $0.count) } & mask
            while off[i] >= 0 {
                let o = Int(off[i]), l = Int(len[i])
                if l == kb.count, Array(bytes[o..<(o + l)]) == kb { break }
                i = (i + 1) & mask
            }
            if off[i] < 0 {
                off[i] = Int32(bytes.count)
                len[i] = Int32(kb.count)
                bytes += kb
            }
            val[i] = v
        }
        // One allocation: values, offsets, lengths, then the key bytes.
        let total = size * 8 + size * 4 * 2 + max(1, bytes.count)
        storage = UnsafeMutableRawPointer.allocate(byteCount: total, alignment: 8)
        let values = storage.bindMemory(to: Int64.self, capacity: size)
        values.initialize(from: val, count: size)
        let offsets = (storage + size * 8).bindMemory(to: Int32.self, capacity: size)
        offsets.initialize(from: off, count: size)
        let lengths = (storage + size * 12).bindMemory(to: Int32.self, capacity: size)
        lengths.initialize(from: len, count: size)
        let keyBytes = (storage + size * 16).bindMemory(to: UInt8.self, capacity: max(1, bytes.count))
        keyBytes.initialize(repeating: 0, count: max(1, bytes.count))
        if !bytes.isEmpty { keyBytes.update(from: bytes, count: bytes.count) }
        view = View(bytes: keyBytes, offsets: offsets, lengths: lengths, values: values, mask: mask)
    }

    deinit {
        storage.deallocate()
    }

    @inline(__always)
    static func hash(_ b: UnsafePointer<UInt8>, _ count: Int) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in 0..<count { h = (h ^ UInt64(b[i])) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: h & 0x7FFF_FFFF_FFFF_FFFF)
    }

    func get(_ b: UnsafeRawBufferPointer) -> Int64? {
        guard let key = b.baseAddress, !b.isEmpty else { return nil }
        return view.get(key.assumingMemoryBound(to: UInt8.self), b.count)
    }
}

/// Dates as data files write them, read without building anything:
/// `2026-05-01` and `1.5.2026` (one- or two-digit day and month), exactly
/// the texts `Day.parse` accepts, to the same day numbers.
enum FastDate {
    @inline(__always)
    private static func digit(_ b: UInt8) -> Int? {
        let d = b &- 48
        return d <= 9 ? Int(d) : nil
    }

    /// The day number (days since 1970-01-01) of the date in `p[0..<n]`, or
    /// nil when it is not a date.
    @inline(__always)
    static func parse(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
        if n == 10 {
            // yyyy-mm-dd checked eight bytes at a time: XOR turns each digit
            // into its value (0...9, and nothing else does) and each dash into 0.
            let raw = UnsafeRawPointer(p)
            let w = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self)) ^ 0x2D30_302D_3030_3030
            let t = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self)) ^ 0x3030
            if ((w &+ 0x7676_7676_7676_7676) | w) & 0x8080_8080_8080_8080 == 0, w & 0xFF00_00FF_0000_0000 == 0,
               ((t &+ 0x7676) | t) & 0x8080 == 0 {
                let year = Int(w & 0xFF) &* 1000 &+ Int((w >> 8) & 0xFF) &* 100 &+ Int((w >> 16) & 0xFF) &* 10 &+ Int((w >> 24) & 0xFF)
                let month = Int((w >> 40) & 0xFF) &* 10 &+ Int((w >> 48) & 0xFF)
                return civil(year: year, month: month, day: Int(t & 0xFF) &* 10 &+ Int(t >> 8))
            }
            if p[4] == 0x2D, p[7] == 0x2D { return nil }
        }
        guard n >= 8, n <= 10 else { return nil }
        let firstDot = p[1] == 0x2E ? 1 : (p[2] == 0x2E ? 2 : -1)
        guard firstDot > 0 else { return nil }
        let secondDot = n - 5
        let monthDigits = secondDot - firstDot - 1
        guard p[secondDot] == 0x2E, monthDigits >= 1, monthDigits <= 2 else { return nil }
        guard let d0 = digit(p[0]), let m0 = digit(p[firstDot + 1]),
              let y0 = digit(p[secondDot + 1]), let y1 = digit(p[secondDot + 2]),
              let y2 = digit(p[secondDot + 3]), let y3 = digit(p[secondDot + 4])
        else { return nil }
        var day = d0
        if firstDot == 2 {
            guard let d1 = digit(p[1]) else { return nil }
            day = d0 * 10 + d1
        }
        var month = m0
        if monthDigits == 2 {
            guard let m1 = digit(p[firstDot + 2]) else { return nil }
            month = m0 * 10 + m1
        }
        return civil(year: y0 * 1000 + y1 * 100 + y2 * 10 + y3, month: month, day: day)
    }

    /// The day number of a calendar date (years 1...9999), or nil when the
    /// date does not exist.
    @inline(__always)
    static func civil(year y: Int, month m: Int, day d: Int) -> Int64? {
        guard y >= 1, y <= 9999, m >= 1, m <= 12, d >= 1 else { return nil }
        let leap = y & 3 == 0 && (y % 100 != 0 || y % 400 == 0)
        // 31 days in the months of 0x15AA's bits (1, 3, 5, 7, 8, 10, 12), 30 in the others but February.
        let length = m == 2 ? (leap ? 29 : 28) : 30 + (0x15AA >> m) & 1
        guard d <= length else { return nil }
        // Wrapping arithmetic: the guard keeps every term far from overflow.
        let py = y &- 1
        // Days before the month: from March on, 30.6 a month after February's end.
        let before = m > 2 ? (153 &* (m &- 3) &+ 2) / 5 &+ (leap ? 60 : 59) : (m == 2 ? 31 : 0)
        let days = py &* 365 &+ py >> 2 &- py / 100 &+ py / 400 &+ before &+ d &- 1
        // 0001-01-01 is 719,162 days before 1970-01-01.
        return Int64(days &- 719_162)
    }
}

/// Turns the text of one data field into a slot for its field's type:
/// dates as `2026-05-01` or `1.5.2026`, booleans as true/false, 1/0,
/// kyllä/ei, decimals with a decimal comma in semicolon files, enumeration
/// values and municipalities by name, label, data code or municipality code.
///
/// This is the general path, which also words the message for a bad value;
/// `RowDecoder` reads the common cases itself and comes here for the rest.
public final class FieldParser: Sendable {
    public let field: Field
    let lookup: [String: Int64]
    /// The same keys as written, for the byte-exact fast path.
    let exact: ByteTable
    let choices: [String]
    let decimalComma: Bool

    public init(field: Field, policy: Policy, decimalComma: Bool) {
        self.field = field
        self.decimalComma = decimalComma
        var lookup: [String: Int64] = [:]
        var asWritten: [(String, Int64)] = []
        var choices: [String] = []
        func key(_ s: String) -> String { s.precomposedStringWithCanonicalMapping.lowercased() }
        switch field.type.base {
        case .enumeration(let id, _), .set(.enumeration(let id, _)):
            let e = policy.enums[id]
            for (i, v) in e.values.enumerated() {
                lookup[key(v)] = Int64(i)
                asWritten.append((v, Int64(i)))
                if let l = e.labels[i] { lookup[key(l)] = Int64(i); asWritten.append((l, Int64(i))) }
                choices.append(v)
            }
        case .municipality:
            for m in policy.municipalities {
                lookup[key(m.name)] = Int64(m.id)
                asWritten.append((m.name, Int64(m.id)))
                if let c = m.code { asWritten.append((c, Int64(m.id))) }
                if let c = m.code {
                    lookup[c] = Int64(m.id)
                    let stripped = String(c.drop { $0 == "0" })
                    if !stripped.isEmpty { lookup[stripped] = Int64(m.id) }
                }
                choices.append(m.name)
            }
        default: break
        }
        for (code, v) in field.valueMap {
            if let raw = Slot.encode(v) { lookup[key(code)] = raw; asWritten.append((code, raw)) }
        }
        self.lookup = lookup
        // Value maps come last so that they win over names, as in `lookup`.
        var seen: [String: Int64] = [:]
        for (k, v) in asWritten { seen[k] = v }
        self.exact = ByteTable(seen.map { ($0.key, $0.value) })
        self.choices = choices
    }

    /// The field's value, or a message saying what was expected.
    public enum Parsed {
        case slot(Int64)
        case text(String)
        case missing
        case bad(String)
    }

    static func trimmed(_ b: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var lo = 0, hi = b.count
        while lo < hi, b[lo] == 0x20 || b[lo] == 0x09 { lo += 1 }
        while hi > lo, b[hi - 1] == 0x20 || b[hi - 1] == 0x09 { hi -= 1 }
        return UnsafeRawBufferPointer(rebasing: b[lo..<hi])
    }

    /// A whole number from bytes (optional sign), nil on anything else or overflow.
    static func integer(_ b: UnsafeRawBufferPointer) -> Int64? {
        guard !b.isEmpty else { return nil }
        var i = 0
        var negative = false
        if b[0] == UInt8(ascii: "-") || b[0] == UInt8(ascii: "+") { negative = b[0] == UInt8(ascii: "-"); i = 1 }
        guard i < b.count else { return nil }
        var v: Int64 = 0
        while i < b.count {
            let d = Int64(b[i]) - 48
            guard d >= 0, d <= 9 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(negative ? -d : d)
            if o1 || o2 { return nil }
            v = a
            i += 1
        }
        return v
    }

    public func parse(_ raw: UnsafeRawBufferPointer) -> Parsed {
        let b = FieldParser.trimmed(raw)
        if b.isEmpty {
            if field.type.isOptional { return .missing }
            return .bad("a value is required")
        }
        func show() -> String {
            let s = String(decoding: raw, as: UTF8.self)
            return s.count > 60 ? String(s.prefix(60)) + "…" : s
        }
        if !lookup.isEmpty, field.type.base != .text {
            if let v = exact.get(b) { return .slot(v) }
            let k = String(decoding: b, as: UTF8.self).precomposedStringWithCanonicalMapping.lowercased()
            if let v = lookup[k] { return .slot(v) }
        }
        switch field.type.base {
        case .text: return .text(String(decoding: raw, as: UTF8.self))
        case .bool:
            if b.count == 4, b[0] == UInt8(ascii: "t"), b[1] == UInt8(ascii: "r"), b[2] == UInt8(ascii: "u"), b[3] == UInt8(ascii: "e") { return .slot(1) }
            if b.count == 5, b[0] == UInt8(ascii: "f"), b[1] == UInt8(ascii: "a"), b[2] == UInt8(ascii: "l") { if b[3] == UInt8(ascii: "s"), b[4] == UInt8(ascii: "e") { return .slot(0) } }
            if b.count == 1, b[0] == UInt8(ascii: "1") { return .slot(1) }
            if b.count == 1, b[0] == UInt8(ascii: "0") { return .slot(0) }
            switch String(decoding: b, as: UTF8.self).lowercased() {
            case "true", "1", "kyllä", "k", "yes", "tosi": return .slot(1)
            case "false", "0", "ei", "e", "no", "epätosi": return .slot(0)
            default: return .bad("expected true/false, 1/0 or kyllä/ei, got '\(show())'")
            }
        case .int:
            if let i = FieldParser.integer(b), i != Slot.missing { return .slot(i) }
            if Fixed.isOutOfRange(bytes: b, decimalComma: false) {
                return .bad("'\(show())' is outside the range of whole numbers (±\(Int64.max))")
            }
            return .bad("expected a whole number, got '\(show())'")
        case .decimal, .money, .percent:
            var body = b
            if field.type.base == .percent, body.last == UInt8(ascii: "%") {
                body = FieldParser.trimmed(UnsafeRawBufferPointer(rebasing: body[0..<(body.count - 1)]))
            }
            if field.type.base == .money, body.count >= 3, String(decoding: body.suffix(3), as: UTF8.self) == "€" {
                body = FieldParser.trimmed(UnsafeRawBufferPointer(rebasing: body[0..<(body.count - 3)]))
            }
            if let f = Fixed.parse(bytes: body, decimalComma: decimalComma) { return .slot(f.raw) }
            if Fixed.isOutOfRange(bytes: body, decimalComma: decimalComma) {
                return .bad("'\(show())' is outside the range of numbers (±\(Fixed.greatest.formatted(decimalComma: decimalComma)))")
            }
            return .bad("expected a number\(decimalComma ? " (decimal comma)" : ""), got '\(show())'")
        case .date:
            if let d = Day.parse(bytes: b) { return .slot(Int64(d.number)) }
            return .bad("expected a date (2026-05-01 or 1.5.2026), got '\(show())'")
        case .enumeration:
            let list = choices.prefix(8).joined(separator: ", ")
            let s = String(decoding: b, as: UTF8.self)
            let hint = Suggest.closest(s, among: choices).map { "; did you mean '\($0)'?" } ?? ""
            return .bad("expected one of \(list)\(choices.count > 8 ? ", …" : ""), got '\(show())'\(hint)")
        case .municipality:
            let s = String(decoding: b, as: UTF8.self)
            let hint = Suggest.closest(s, among: choices).map { "; did you mean '\($0)'?" } ?? ""
            return .bad("unknown municipality '\(show())'\(hint)")
        case .set(.enumeration):
            var mask: Int64 = 0
            let s = String(decoding: b, as: UTF8.self)
            for part in s.split(whereSeparator: { $0 == "|" || $0 == "," }) {
                let k = part.trimmingCharacters(in: .whitespaces).precomposedStringWithCanonicalMapping.lowercased()
                guard let v = lookup[k], v >= 0, v < 63 else { return .bad("'\(part)' is not one of \(choices.joined(separator: ", "))") }
                mask |= 1 << v
            }
            return .slot(mask)
        default:
            return .bad("fields of type \(field.type) cannot be read from data")
        }
    }
}
