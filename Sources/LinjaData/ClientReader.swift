import Foundation
import LinjaBase
import LinjaSyntax
import LinjaModel

/// A problem with a data file, named by its row and column as a spreadsheet
/// numbers them (the header is row 1).
public struct DataIssue: Error, Sendable, CustomStringConvertible, Equatable {
    public var path: String
    public var row: Int
    public var column: Int?
    public var field: String?
    public var message: String

    public init(path: String, row: Int, column: Int? = nil, field: String? = nil, message: String) {
        self.path = path
        self.row = row
        self.column = column
        self.field = field
        self.message = message
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
/// case of reading a code or name as written costs no `String`.
struct ByteTable: Sendable {
    /// All keys' bytes, one after another; a slot holds (offset, length, value).
    let bytes: [UInt8]
    let slotOffset: [Int32]
    let slotLength: [Int32]
    let slotValue: [Int64]
    let mask: Int

    init(_ entries: [(String, Int64)]) {
        var size = 16
        while size < entries.count * 4 { size <<= 1 }
        mask = size - 1
        var bytes: [UInt8] = []
        var off = [Int32](repeating: -1, count: size)
        var len = [Int32](repeating: 0, count: size)
        var val = [Int64](repeating: 0, count: size)
        for (k, v) in entries {
            let kb = Array(k.utf8)
            var i = kb.withUnsafeBytes { ByteTable.hash($0) } & mask
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
        self.bytes = bytes
        slotOffset = off
        slotLength = len
        slotValue = val
    }

    @inline(__always)
    static func hash(_ b: UnsafeRawBufferPointer) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for x in b { h = (h ^ UInt64(x)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: h & 0x7FFF_FFFF_FFFF_FFFF)
    }

    @inline(__always)
    func get(_ b: UnsafeRawBufferPointer) -> Int64? {
        guard let key = b.baseAddress, !b.isEmpty else { return nil }
        var i = ByteTable.hash(b) & mask
        return bytes.withUnsafeBytes { all in
            guard let base = all.baseAddress else { return nil }
            while slotOffset[i] >= 0 {
                let o = Int(slotOffset[i]), l = Int(slotLength[i])
                if l == b.count, memcmp(base + o, key, l) == 0 { return slotValue[i] }
                i = (i + 1) & mask
            }
            return nil
        }
    }
}

/// Turns the text of one data field into a slot for its field's type:
/// dates as `2026-05-01` or `1.5.2026`, booleans as true/false, 1/0,
/// kyllä/ei, decimals with a decimal comma in semicolon files, enumeration
/// values and municipalities by name, label, data code or municipality code.
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

/// Reads client records (CSV in either dialect, or JSON Lines) against the
/// policy's record, one at a time, into a `ClientBatch`. Columns map to
/// fields by name (or the names a field lists with `column`); a missing
/// required column is an error before any row is read; an unknown column is
/// a warning, given once.
public final class ClientReader {
    public enum Format: String, Sendable { case csv, jsonl }

    public let path: String
    public let format: Format
    public let record: RecordType
    public private(set) var warnings: [DataIssue] = []
    /// The unknown JSON keys already warned about.
    var warnedKeys = Set<String>()
    public private(set) var dialect: CSVDialect?
    /// The row (CSV record or JSON line) last read.
    public private(set) var row = 1
    /// The raw fields of the row last read, for rejected-row output.
    public private(set) var rawFields: [String] = []
    public private(set) var header: [String] = []

    let csv: CSVReader?
    let jsonl: JSONLinesReader?
    var parsers: [FieldParser]
    /// The row each id was first seen on: a second row with the same id is
    /// rejected (about 40 bytes per distinct id is the only state that grows).
    var seenIDs = SeenIDs()
    /// Whether to reject repeated ids (on by default).
    public var rejectDuplicateIDs = true {
        didSet { decoder.fingerprintSlot = rejectDuplicateIDs && idIsText ? idSlot : nil }
    }
    /// For each field slot, its column index in the file.
    var columnOf: [Int?]
    var idSlot: Int?
    /// Whether the id field holds text (the only kind checked for repeats).
    let idIsText: Bool
    /// Decodes a row's fields into slots; safe to use from several threads.
    public private(set) var decoder: RowDecoder

    public init(path: String, policy: Policy, format: Format? = nil) throws {
        guard let record = policy.record else {
            throw DataIssue(path: path, row: 1, message: "the policy declares no record to read")
        }
        self.path = path
        self.record = record
        let fmt = format ?? ClientReader.guessFormat(path)
        self.format = fmt
        self.parsers = []
        self.columnOf = Array(repeating: nil, count: record.fields.count)
        self.decoder = RowDecoder(path: path, record: record, parsers: [], columnOf: [])
        idSlot = record.fields.firstIndex { $0.name == "id" }
        idIsText = idSlot.map { record.fields[$0].type.base == .text } ?? false
        switch fmt {
        case .csv:
            do {
                let r = try CSVReader(path: path)
                csv = r
                jsonl = nil
                dialect = r.dialect
                header = r.header
            } catch {
                throw DataIssue(path: path, row: 1, message: "\(error)")
            }
            if header.isEmpty { throw DataIssue(path: path, row: 1, message: "the file is empty: expected a header row") }
        case .jsonl:
            do {
                let r = try JSONLinesReader(path: path)
                // A file that cannot be read at all is a problem of the file
                // (row 1, nothing read), as for CSV, not of its "line 0".
                try r.begin()
                jsonl = r
                csv = nil
            } catch {
                throw DataIssue(path: path, row: 1, message: "\(error)")
            }
        }
        let decimalComma = dialect == .semicolon
        parsers = record.fields.map { FieldParser(field: $0, policy: policy, decimalComma: decimalComma) }
        if fmt == .csv { try mapColumns(header) }
        decoder = RowDecoder(path: path, record: record, parsers: parsers, columnOf: columnOf)
        decoder.fingerprintSlot = idIsText ? idSlot : nil
    }

    static func guessFormat(_ path: String) -> Format {
        let lower = path.lowercased()
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") || lower.hasSuffix(".json") { return .jsonl }
        return .csv
    }

    static func key(_ s: String) -> String {
        s.trimmingCharacters(in: .whitespaces).precomposedStringWithCanonicalMapping.lowercased()
    }

    /// Maps header columns to fields; reports missing required columns all at once.
    func mapColumns(_ names: [String]) throws {
        var byName: [String: Int] = [:]
        for (slot, f) in record.fields.enumerated() {
            for c in f.columns { byName[ClientReader.key(c)] = slot }
        }
        var used = Set<Int>()
        for (i, name) in names.enumerated() {
            guard let slot = byName[ClientReader.key(name)] else {
                warnings.append(DataIssue(path: path, row: 1, column: i + 1,
                                          message: "unknown column '\(name)' is ignored" +
                                          (Suggest.closest(name, among: record.fields.map(\.name)).map { "; did you mean '\($0)'?" } ?? "")))
                continue
            }
            if used.contains(slot) {
                throw DataIssue(path: path, row: 1, column: i + 1, field: record.fields[slot].name,
                                message: "two columns give this field")
            }
            used.insert(slot)
            columnOf[slot] = i
        }
        let missing = record.fields.enumerated().filter { columnOf[$0.offset] == nil && !$0.element.type.isOptional }
        if !missing.isEmpty {
            throw DataIssue(path: path, row: 1, message: "missing required column\(missing.count == 1 ? "" : "s"): "
                            + missing.map { "'\($0.element.name)'" }.joined(separator: ", "))
        }
    }

    public enum ReadResult {
        case client
        case rejected(DataIssue)
        case end
    }

    /// Reads the next client into `batch` (appending one row). A bad row is
    /// returned as `.rejected` and nothing is appended.
    public func next(into batch: inout ClientBatch) -> ReadResult {
        switch format {
        case .csv: return nextCSV(into: &batch)
        case .jsonl: return nextJSON(into: &batch)
        }
    }

    /// The id of the row last read, when the record has an `id` field.
    public var currentID: String? {
        guard let s = idSlot else { return nil }
        if format == .jsonl { return s < rawFields.count ? rawFields[s] : nil }
        guard let c = columnOf[s] else { return nil }
        return csv?.string(c)
    }

    /// Scans the next CSV record: `.client` when its fields are ready to
    /// decode, `.rejected` for a record that is bad before its fields are
    /// read (an unterminated quote, a ragged row), `.end` at the end.
    func scanCSV() -> ReadResult {
        guard let csv else { return .end }
        do {
            guard try csv.next() else { return .end }
        } catch {
            row = csv.record
            rawFields = []
            if case .unterminatedQuote = error {
                return .rejected(DataIssue(path: path, row: error.position?.record ?? csv.record, column: error.position?.column, message: "\(error)"))
            }
            return .rejected(DataIssue(path: path, row: csv.record, column: error.position?.column, message: "\(error)"))
        }
        row = csv.record
        if !rawFields.isEmpty { rawFields = [] }
        if let issue = csv.recordIssue, case .raggedRow(_, _, let expected, let got) = issue {
            rawFields = csv.strings()
            return .rejected(DataIssue(path: path, row: row, message: "the row has \(got) field\(got == 1 ? "" : "s"), the header \(expected)"))
        }
        return .client
    }

    func nextCSV(into batch: inout ClientBatch) -> ReadResult {
        guard let csv else { return .end }
        let scanned = scanCSV()
        guard case .client = scanned else { return scanned }
        let start = batch.slots.count
        let textStart = batch.texts.count
        if let issue = decoder.decode(row: row, into: &batch, field: { csv.fieldBytes($0) }) {
            rawFields = csv.strings()
            return .rejected(issue)
        }
        if let issue = duplicateID(batch, start: start, column: idSlot.flatMap { columnOf[$0] }.map { $0 + 1 }) {
            batch.slots.removeSubrange(start...)
            batch.texts.removeSubrange(textStart...)
            rawFields = csv.strings()
            return .rejected(issue)
        }
        return .client
    }

    /// Appends a parsed field to the batch; returns the message of a bad value.
    @inline(__always)
    static func append(_ parsed: FieldParser.Parsed, to batch: inout ClientBatch) -> String? {
        switch parsed {
        case .slot(let v): batch.slots.append(v)
        case .missing: batch.slots.append(Slot.missing)
        case .text(let s):
            batch.slots.append(Int64(batch.texts.count))
            batch.texts.append(s)
        case .bad(let message): return message
        }
        return nil
    }

    /// A repeated id: the row is rejected, naming the row it was first on.
    func duplicateID(_ batch: ClientBatch, start: Int, column: Int?) -> DataIssue? {
        guard rejectDuplicateIDs, idIsText, let s = idSlot else { return nil }
        let t = Int(batch.slots[start + s])
        guard t >= 0, t < batch.texts.count else { return nil }
        let id = batch.texts[t]
        if let first = seenIDs.firstRow(of: id, row: row) {
            return DataIssue(path: path, row: row, column: column, field: record.fields[s].name,
                             message: "duplicate id '\(id)' (first on row \(first))")
        }
        return nil
    }

    /// A row's raw fields in the file's column order, rebuilt from its values
    /// (for rows rejected after reading, such as rows that cannot be decided).
    public func rawFields(of values: [Value], policy: Policy) -> [String] {
        let f = ValueFormatter(policy: policy)
        var out = Array(repeating: "", count: format == .csv ? header.count : values.count)
        for (slot, v) in values.enumerated() where !v.isMissing {
            let col = format == .csv ? columnOf[slot] : slot
            if let c = col, c < out.count { out[c] = f.text(v) }
        }
        return out
    }

    func nextJSON(into batch: inout ClientBatch) -> ReadResult {
        guard let jsonl else { return .end }
        let object: [(key: String, value: JSONScalar)]
        do {
            guard let o = try jsonl.next() else { return .end }
            object = o
        } catch {
            row = jsonl.line
            rawFields = []
            return .rejected(DataIssue(path: path, row: jsonl.line, message: "\(error)"))
        }
        row = jsonl.line
        var byName: [String: Int] = [:]
        for (slot, f) in record.fields.enumerated() { for c in f.columns { byName[ClientReader.key(c)] = slot } }
        var values: [(text: String?, position: Int)?] = Array(repeating: nil, count: record.fields.count)
        rawFields = Array(repeating: "", count: record.fields.count)
        for (i, kv) in object.enumerated() {
            guard let slot = byName[ClientReader.key(kv.key)] else {
                // Once per key, found in a set: a search of the warnings made
                // a row of many unknown keys quadratic (30,000 took minutes).
                if warnedKeys.insert(kv.key).inserted {
                    warnings.append(DataIssue(path: path, row: row, column: i + 1, message: "unknown key '\(kv.key)' is ignored"))
                }
                continue
            }
            switch kv.value {
            case .string(let s): values[slot] = (s, i + 1)
            case .number(let n): values[slot] = (n, i + 1)
            case .bool(let b): values[slot] = (b ? "true" : "false", i + 1)
            case .null: values[slot] = (nil, i + 1)
            case .nested(let k):
                return .rejected(DataIssue(path: path, row: row, column: i + 1, field: record.fields[slot].name,
                                           message: "expected a value, got a JSON \(k.rawValue)"))
            }
            rawFields[slot] = values[slot]?.text ?? ""
        }
        let start = batch.slots.count
        let textStart = batch.texts.count
        for (slot, parser) in parsers.enumerated() {
            let given = values[slot]
            var text = given?.text ?? ""
            let parsed: FieldParser.Parsed = text.withUTF8 { p in parser.parse(UnsafeRawBufferPointer(p)) }
            if let message = ClientReader.append(parsed, to: &batch) {
                batch.slots.removeSubrange(start...)
                batch.texts.removeSubrange(textStart...)
                let m = given == nil ? "missing (a value is required)" : message
                return .rejected(DataIssue(path: path, row: row, column: given?.position, field: parser.field.name, message: m))
            }
        }
        if let issue = duplicateID(batch, start: start, column: idSlot.flatMap { values[$0]?.position }) {
            batch.slots.removeSubrange(start...)
            batch.texts.removeSubrange(textStart...)
            return .rejected(issue)
        }
        return .client
    }
}

extension CSVError {
    var position: CSVPosition? {
        switch self {
        case .unterminatedQuote(let p), .quoteInUnquotedField(let p), .textAfterClosingQuote(let p), .invalidUTF8(let p): return p
        case .raggedRow, .io: return nil
        }
    }
}
