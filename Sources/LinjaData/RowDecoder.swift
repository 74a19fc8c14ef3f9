import Foundation
import LinjaBase
import LinjaSyntax
import LinjaModel

/// Rows decoded from (part of) a client file: each client's slots, the
/// bytes of its text fields, where it is in the file, and the fingerprint of
/// its id. Plain arrays, appended to through `inout` by one reader at a
/// time, so that nothing per row pays a run-time exclusivity check.
public struct ClientRows: Sendable {
    public let width: Int
    /// `width` slots per row; a text field's slot is its index in the texts.
    public private(set) var slots: [Int64] = []
    /// Text `i` is `textBytes[textEnds[i - 1] ..< textEnds[i]]` (from 0 for
    /// the first).
    public private(set) var textBytes: [UInt8] = []
    public private(set) var textEnds: [Int] = []
    /// Each row's spreadsheet row and first line, in its reader's numbering.
    public private(set) var rows: [Int] = []
    public private(set) var lines: [Int] = []
    /// Each row's id fingerprint (two words; none when ids are not checked).
    public private(set) var fingerprints: [UInt64] = []
    /// Where each row's record starts in the input (to read it again).
    public private(set) var offsets: [Int] = []

    public var count: Int { rows.count }

    public init(width: Int, capacity: Int = 0) {
        self.width = width
        slots.reserveCapacity(width * capacity)
        rows.reserveCapacity(capacity)
        lines.reserveCapacity(capacity)
        offsets.reserveCapacity(capacity)
        textEnds.reserveCapacity(capacity)
        textBytes.reserveCapacity(16 * capacity)
        fingerprints.reserveCapacity(2 * capacity)
    }

    public mutating func removeAll() {
        slots.removeAll(keepingCapacity: true)
        textBytes.removeAll(keepingCapacity: true)
        textEnds.removeAll(keepingCapacity: true)
        rows.removeAll(keepingCapacity: true)
        lines.removeAll(keepingCapacity: true)
        fingerprints.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
    }

    /// Text `i`'s bytes, inside `body`.
    @inline(__always)
    public func withText<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        guard i >= 0, i < textEnds.count else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        let start = i == 0 ? 0 : textEnds[i - 1]
        return textBytes.withUnsafeBytes { all in body(UnsafeRawBufferPointer(rebasing: all[start..<textEnds[i]])) }
    }

    public func text(_ i: Int) -> String {
        withText(i) { String(decoding: $0, as: UTF8.self) }
    }

    /// Every text as a `String`, indexed as the slots index them (for the
    /// evaluator when a rule reads text, and for explanations).
    public func texts() -> [String] {
        (0..<textEnds.count).map(text)
    }

    /// Row `i`'s values.
    public func values(_ i: Int, record: RecordType, texts: [String]) -> [Value] {
        let base = i * width
        return record.fields.enumerated().map { k, f in Slot.decode(slots[base + k], f.type, texts: texts) }
    }

    /// The fingerprint of row `i`'s id, when ids are checked.
    public func fingerprint(_ i: Int) -> (UInt64, UInt64)? {
        guard 2 * i + 1 < fingerprints.count else { return nil }
        return (fingerprints[2 * i], fingerprints[2 * i + 1])
    }

    // MARK: Appending (by the readers)

    @inline(__always)
    mutating func appendText(_ bytes: UnsafeRawBufferPointer) -> Int64 {
        textBytes.append(contentsOf: bytes)
        textEnds.append(textBytes.count)
        return Int64(textEnds.count - 1)
    }

    @inline(__always)
    mutating func appendText(_ s: String) -> Int64 {
        textBytes.append(contentsOf: s.utf8)
        textEnds.append(textBytes.count)
        return Int64(textEnds.count - 1)
    }

    /// Forgets the texts appended since there were `n` (a row that failed).
    @inline(__always)
    mutating func truncateTexts(to n: Int) {
        guard textEnds.count > n else { return }
        textEnds.removeSubrange(n...)
        textBytes.removeSubrange((n == 0 ? 0 : textEnds[n - 1])...)
    }

    @inline(__always)
    mutating func appendRow(_ row: UnsafePointer<Int64>, row number: Int, line: Int, offset: Int) {
        slots.append(contentsOf: UnsafeBufferPointer(start: row, count: width))
        rows.append(number)
        lines.append(line)
        offsets.append(offset)
    }

    @inline(__always)
    mutating func appendFingerprint(_ f: (UInt64, UInt64)) {
        fingerprints.append(f.0)
        fingerprints.append(f.1)
    }
}

/// A row rejected while reading, with its position in its reader's
/// numbering and what it held.
public struct RejectedRow: Sendable {
    public var issue: DataIssue
    /// The row's fields as read, or (for rows whose fields cannot be
    /// trusted: quote and UTF-8 problems) its original text as one field.
    public var fields: [String]

    public init(issue: DataIssue, fields: [String]) {
        self.issue = issue
        self.fields = fields
    }
}

/// Where a record's fields are, by column (CSV) or by slot (JSON Lines).
protocol FieldSource {
    /// The field's bytes; nil when the file has no such column or key.
    func field(slot: Int, column: Int) -> UnsafeRawBufferPointer?
}

/// Decodes a record's fields into a client's slots: the part of reading
/// that every worker does for its own rows. It holds only immutable state
/// (a plan per field, the parsers), so one decoder serves every thread.
///
/// The plan lets the common cases go without `FieldParser`: dates in either
/// form, true/false and 1/0, enumeration values and municipalities as
/// written, text. Anything else, and every bad value, goes to the field's
/// parser, which words the message.
public struct RowDecoder: @unchecked Sendable {
    /// One field's way of reading: plain values (pointers into tables that
    /// `storage` keeps), so that reading a plan counts no references.
    struct Plan {
        enum Kind: UInt8 { case date, bool, lookup, text, integer, general }
        var column: Int
        var kind: Kind
        var optional: Bool
        var table: ByteTable.View
        var parser: Unmanaged<FieldParser>
    }

    /// Owns the parsers and the plans' memory.
    final class Storage: @unchecked Sendable {
        let parsers: [FieldParser]
        let plans: UnsafeMutablePointer<Plan>
        let count: Int

        init(parsers: [FieldParser], columnOf: [Int?]) {
            self.parsers = parsers
            count = parsers.count
            plans = .allocate(capacity: max(1, parsers.count))
            for (slot, parser) in parsers.enumerated() {
                let field = parser.field
                let plain = parser.lookup.isEmpty
                let kind: Plan.Kind
                switch field.type.base {
                case .date: kind = plain ? .date : .general
                case .bool: kind = plain ? .bool : .general
                case .int: kind = plain ? .integer : .general
                case .text: kind = .text
                case .enumeration, .municipality: kind = .lookup
                default: kind = .general
                }
                let column = slot < columnOf.count ? (columnOf[slot] ?? -1) : -1
                (plans + slot).initialize(to: Plan(column: column, kind: kind, optional: field.type.isOptional,
                                                   table: parser.exact.view, parser: Unmanaged.passUnretained(parser)))
            }
        }

        deinit {
            plans.deinitialize(count: count)
            plans.deallocate()
        }
    }

    let path: String
    let record: RecordType
    let storage: Storage
    let plans: UnsafeMutablePointer<Plan>
    public let width: Int
    /// For each field slot, its column index in a CSV file.
    let columnOf: [Int?]
    /// The id's slot when repeated ids are checked (a text id).
    public internal(set) var fingerprintSlot: Int?

    init(path: String, record: RecordType, parsers: [FieldParser], columnOf: [Int?]) {
        self.path = path
        self.record = record
        self.columnOf = columnOf
        storage = Storage(parsers: parsers, columnOf: columnOf)
        plans = storage.plans
        width = parsers.count
    }

    /// Why a record's field could not be read.
    struct Failure {
        var slot: Int
        var message: String
    }

    /// Decodes one record into `out` (`width` slots), appending its texts
    /// to `rows`; on a bad value returns why (the texts it appended are
    /// taken back). Does not append the row itself.
    @inline(__always)
    func decode<S: FieldSource>(_ source: S, into out: UnsafeMutablePointer<Int64>, rows: inout ClientRows,
                                fingerprint: inout (UInt64, UInt64)) -> Failure? {
        let textCount = rows.textEnds.count
        let plans = self.plans
        for slot in 0..<width {
            let plan = plans[slot]
            guard let raw = source.field(slot: slot, column: plan.column) else {
                if plan.optional {
                    out[slot] = Slot.missing
                    continue
                }
                rows.truncateTexts(to: textCount)
                return Failure(slot: slot, message: "missing (a value is required)")
            }
            var n = raw.count
            guard n > 0, let start = raw.baseAddress else {
                if plan.optional {
                    out[slot] = Slot.missing
                    continue
                }
                rows.truncateTexts(to: textCount)
                return Failure(slot: slot, message: "a value is required")
            }
            var p = start.assumingMemoryBound(to: UInt8.self)
            if p[0] == 0x20 || p[0] == 0x09 || p[n - 1] == 0x20 || p[n - 1] == 0x09 {
                while n > 0, p[0] == 0x20 || p[0] == 0x09 { p += 1; n -= 1 }
                while n > 0, p[n - 1] == 0x20 || p[n - 1] == 0x09 { n -= 1 }
            }
            if n == 0 {
                if plan.optional {
                    out[slot] = Slot.missing
                    continue
                }
                rows.truncateTexts(to: textCount)
                return Failure(slot: slot, message: "a value is required")
            }
            switch plan.kind {
            case .date:
                if let d = FastDate.parse(p, n) {
                    out[slot] = d
                    continue
                }
            case .bool:
                if n == 4, p[0] == 0x74, p[1] == 0x72, p[2] == 0x75, p[3] == 0x65 {
                    out[slot] = 1
                    continue
                }
                if n == 5, p[0] == 0x66, p[1] == 0x61, p[2] == 0x6C, p[3] == 0x73, p[4] == 0x65 {
                    out[slot] = 0
                    continue
                }
                if n == 1, p[0] == 0x31 || p[0] == 0x30 {
                    out[slot] = p[0] == 0x31 ? 1 : 0
                    continue
                }
            case .lookup:
                if let v = plan.table.get(p, n) {
                    out[slot] = v
                    continue
                }
            case .text:
                if slot == fingerprintSlot {
                    fingerprint = IDTable.fingerprint(raw)
                }
                out[slot] = rows.appendText(raw)
                continue
            case .integer:
                if let i = FieldParser.integer(UnsafeRawBufferPointer(start: p, count: n)), i != Slot.missing {
                    out[slot] = i
                    continue
                }
            case .general:
                break
            }
            switch plan.parser._withUnsafeGuaranteedRef({ $0.parse(raw) }) {
            case .slot(let v): out[slot] = v
            case .missing: out[slot] = Slot.missing
            case .text(let s): out[slot] = rows.appendText(s)
            case .bad(let message):
                rows.truncateTexts(to: textCount)
                return Failure(slot: slot, message: message)
            }
        }
        return nil
    }

    /// The name of the field in `slot`.
    func fieldName(_ slot: Int) -> String {
        slot < record.fields.count ? record.fields[slot].name : ""
    }
}
