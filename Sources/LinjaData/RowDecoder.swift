import LinjaBase
import LinjaSyntax
import LinjaModel

/// Decodes a CSV row's fields into a client's slots: the part of reading
/// that can run on several threads at once. It holds only immutable state
/// (the record, the parsers, the column of each field), so one decoder is
/// shared by every worker.
public struct RowDecoder: @unchecked Sendable {
    let path: String
    let record: RecordType
    /// The parsers, unretained: the hot loop must not count references.
    let parsers: [Unmanaged<FieldParser>]
    /// The same parsers, retained: they live as long as the decoder.
    let owners: [FieldParser]
    /// For each field slot, its column index in the file.
    let columnOf: [Int?]
    /// The id's slot when repeated ids are checked.
    var fingerprintSlot: Int?

    init(path: String, record: RecordType, parsers: [FieldParser], columnOf: [Int?]) {
        self.path = path
        self.record = record
        self.owners = parsers
        self.parsers = parsers.map { Unmanaged.passUnretained($0) }
        self.columnOf = columnOf
    }

    /// Appends the row's slots to `batch`, its fields given by column index;
    /// on a bad value appends nothing and returns the issue (row, column,
    /// field, message).
    @inline(__always)
    func decode(row: Int, into batch: inout ClientBatch, field: (Int) -> UnsafeRawBufferPointer) -> DataIssue? {
        let start = batch.slots.count
        let textStart = batch.texts.count
        for slot in 0..<parsers.count {
            guard let col = columnOf[slot] else {
                batch.slots.append(Slot.missing)
                continue
            }
            let parsed = parsers[slot]._withUnsafeGuaranteedRef { $0.parse(field(col)) }
            if let message = ClientReader.append(parsed, to: &batch) {
                batch.slots.removeSubrange(start...)
                batch.texts.removeSubrange(textStart...)
                return DataIssue(path: path, row: row, column: col + 1, field: record.fields[slot].name, message: message)
            }
        }
        return nil
    }

    /// The fingerprint of a decoded row's id, for `ClientReader.repeatedID`
    /// (nil when ids are not checked).
    public func idFingerprint(_ batch: ClientBatch, row i: Int) -> IDFingerprint? {
        guard let s = fingerprintSlot else { return nil }
        let t = Int(batch.slots[i * batch.width + s])
        guard t >= 0, t < batch.texts.count else { return nil }
        let (h, l) = SeenIDs.fingerprint(batch.texts[t])
        return IDFingerprint(high: h, low: l)
    }

    /// Decodes record `i` of `raw` (see `ClientReader.nextRaw`).
    public func decode(_ raw: RawRows, _ i: Int, into batch: inout ClientBatch) -> DataIssue? {
        raw.bytes.withUnsafeBytes { all in
            decode(row: raw.rows[i], into: &batch) { raw.field(i, $0, in: all) }
        }
    }
}

/// CSV records copied out of the reader by `ClientReader.nextRaw`, to be
/// decoded on another thread: their bytes, each field's bounds, and each
/// record's row number.
public struct RawRows: Sendable {
    public let fieldCount: Int
    var bytes: [UInt8] = []
    /// Per record, `fieldCount` pairs of (start, end) offsets into `bytes`.
    var bounds: [Int] = []
    public private(set) var rows: [Int] = []
    public var count: Int { rows.count }

    public init(fieldCount: Int) { self.fieldCount = fieldCount }

    mutating func append(row: Int, fields: (Int) -> UnsafeRawBufferPointer) {
        rows.append(row)
        for f in 0..<fieldCount {
            let b = fields(f)
            bounds.append(bytes.count)
            bytes.append(contentsOf: b)
            bounds.append(bytes.count)
        }
    }

    @inline(__always)
    func field(_ i: Int, _ f: Int, in all: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard f >= 0, f < fieldCount else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let k = 2 * (i * fieldCount + f)
        return UnsafeRawBufferPointer(rebasing: all[bounds[k]..<bounds[k + 1]])
    }

    /// Record `i`'s fields as strings (for rejected-row output).
    public func strings(_ i: Int) -> [String] {
        bytes.withUnsafeBytes { all in (0..<fieldCount).map { String(decoding: field(i, $0, in: all), as: UTF8.self) } }
    }
}

extension ClientReader {
    /// Scans the next CSV record and copies its fields into `raw` without
    /// decoding them (`.client`); a record that is bad before its fields are
    /// read is `.rejected` (with `rawFields` set), as `next` would say.
    /// Decode the copies with `decoder`, then pass each accepted row's id to
    /// `repeatedID` in reading order.
    public func nextRaw(into raw: inout RawRows) -> ReadResult {
        guard let csv else { return .end }
        let scanned = scanCSV()
        guard case .client = scanned else { return scanned }
        raw.append(row: row) { csv.fieldBytes($0) }
        return .client
    }

    /// For rows decoded elsewhere, in reading order: the issue when the id
    /// was on an earlier row (the row is then rejected), else nil after
    /// recording it.
    public func repeatedID(_ fingerprint: IDFingerprint?, id: @autoclosure () -> String, row: Int) -> DataIssue? {
        guard let fp = fingerprint, let s = idSlot else { return nil }
        guard let first = seenIDs.firstRow(fingerprint: (fp.high, fp.low), row: row) else { return nil }
        return DataIssue(path: path, row: row, column: columnOf[s].map { $0 + 1 }, field: record.fields[s].name,
                         message: "duplicate id '\(id())' (first on row \(first))")
    }
}

/// A 96-bit fingerprint of a client id (see `SeenIDs`).
public struct IDFingerprint: Sendable, Equatable {
    let high: UInt64
    let low: UInt32
}
