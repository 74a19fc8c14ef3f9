import Foundation
import LinjaBase
import LinjaSyntax
import LinjaModel

/// Reads client records (CSV in either dialect, or JSON Lines) against the
/// policy's record. Columns map to fields by name (or the names a field
/// lists with `column`); a missing required column is an error before any
/// row is read; an unknown column is a warning, given once. JSON Lines keys
/// are held to the same: an unknown key is a warning (the first line's
/// before any row is read, later ones where they first occur), and a row
/// giving one field under two keys is rejected, as two columns for one
/// field are an error in CSV.
///
/// Reading is by ranges of the input (`readRange`), which workers may read
/// at once: a range starts where a record starts and ends at the first
/// record starting at or after its stop position, and everything found in
/// it is numbered from the range's first line. `next(into:)` reads the
/// whole input one row at a time through the same code, for the commands
/// that read clients in order.
///
/// Several threads may read ranges (and `originalFields`) at once: those
/// only read what `init` set up. Everything else is for one thread.
public final class ClientReader: @unchecked Sendable {
    public enum Format: String, Sendable, CaseIterable { case csv, jsonl }

    public let path: String
    public let format: Format
    public let record: RecordType
    public private(set) var warnings: [DataIssue] = []
    public private(set) var dialect: CSVDialect?
    public private(set) var header: [String] = []
    /// The input, read at positions.
    public let input: PositionalInput
    /// Where the rows start: the input position after the header (CSV) or
    /// 0 (JSON Lines), and the line and spreadsheet row there.
    public private(set) var dataStart = 0
    public private(set) var dataLine = 1
    public private(set) var dataRow = 1
    /// Decodes a row's fields into slots; safe to use from several threads.
    public private(set) var decoder: RowDecoder
    /// Whether to reject repeated ids (on by default).
    public var rejectDuplicateIDs = true {
        didSet { decoder.fingerprintSlot = rejectDuplicateIDs && idIsText ? idSlot : nil }
    }
    /// The id's slot, when the record has an `id` field.
    public let idSlot: Int?
    /// Whether the id field holds text (the only kind checked for repeats).
    let idIsText: Bool
    /// Per slot: a text field, an optional field (for copying rows into a batch).
    let textFields: [Bool]
    let optionalFields: [Bool]
    /// For each field slot, its column index in a CSV file.
    public private(set) var columnOf: [Int?]
    /// JSON Lines: the slot each key names, by the key as `key(_:)` makes it.
    let slotOfKey: [String: Int]
    /// JSON Lines keys already warned about.
    public private(set) var warnedKeys: Set<String> = []
    /// The longest quoted field (in lines) and record (in bytes) read; tests
    /// make them small.
    var maxQuotedLines = CSVScanner.defaultMaxQuotedLines
    var maxRecordBytes = CSVScanner.defaultMaxRecordBytes

    public init(path: String, policy: Policy, format: Format? = nil) throws {
        guard let record = policy.record else {
            throw DataIssue(path: path, row: 1, message: "the policy declares no record to read")
        }
        self.path = path
        self.record = record
        let fmt = format ?? ClientReader.guessFormat(path)
        self.format = fmt
        columnOf = Array(repeating: nil, count: record.fields.count)
        idSlot = record.fields.firstIndex { $0.name == "id" }
        idIsText = idSlot.map { record.fields[$0].type.base == .text } ?? false
        textFields = record.fields.map { $0.type.base == .text }
        optionalFields = record.fields.map { $0.type.isOptional }
        var keys: [String: Int] = [:]
        for (slot, f) in record.fields.enumerated() {
            for c in f.columns { keys[ClientReader.key(c)] = slot }
        }
        slotOfKey = keys
        do {
            input = try PositionalInput(path: path)
        } catch {
            throw DataIssue(path: path, row: 1, message: error.message)
        }
        decoder = RowDecoder(path: path, record: record, parsers: [], columnOf: [])
        switch fmt {
        case .csv:
            try readHeader()
            if header.isEmpty { throw DataIssue(path: path, row: 1, message: "the file is empty: expected a header row") }
        case .jsonl:
            // A file that cannot be read at all (a directory) is a problem
            // of the file (row 1, nothing read), as for CSV, not of a line.
            var probe: UInt8 = 0
            do { _ = try input.read(into: &probe, at: 0, maximum: 1) } catch {
                throw DataIssue(path: path, row: 1, message: error.message)
            }
            dataStart = 0
            dataLine = 1
            dataRow = 1
        }
        let decimalComma = dialect == .semicolon
        let parsers = record.fields.map { FieldParser(field: $0, policy: policy, decimalComma: decimalComma) }
        if fmt == .csv { try mapColumns(header) }
        decoder = RowDecoder(path: path, record: record, parsers: parsers, columnOf: columnOf)
        decoder.fingerprintSlot = idIsText ? idSlot : nil
        if fmt == .jsonl { warnAboutFirstLineKeys() }
    }

    static func guessFormat(_ path: String) -> Format {
        let lower = path.lowercased()
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") || lower.hasSuffix(".json") { return .jsonl }
        return .csv
    }

    /// A column name as it is matched: white space trimmed, NFC, lower case.
    static func key(_ s: String) -> String {
        // Nearly every header is ASCII with nothing to trim: Foundation's
        // trimming and normalisation cost some 40,000 instructions a name.
        let u = s.utf8
        if let f = u.first, let l = u.last, f != 0x20, f != 0x09, l != 0x20, l != 0x09, u.allSatisfy({ $0 < 0x80 }) {
            return s.lowercased()
        }
        return s.trimmingCharacters(in: .whitespaces).precomposedStringWithCanonicalMapping.lowercased()
    }

    /// Reads the header: the separator, a byte-order mark, the column names,
    /// and where the rows start.
    private func readHeader() throws {
        var source = ByteSource(input: input, start: 0, chunkSize: 64 * 1024)
        let detected: CSVDialect
        do throws(DataIOFailure) {
            var start = 0
            if try source.fill(atLeast: 3), source.base[0] == 0xEF, source.base[1] == 0xBB, source.base[2] == 0xBF {
                start = 3
            }
            detected = try CSVReader.detectDialect(&source, from: start)
        } catch {
            throw DataIssue(path: path, row: 1, message: error.message)
        }
        dialect = detected
        var scanner = CSVScanner(source: source, separator: detected.separator, start: 0, line: 1, row: 1,
                                 maxQuotedLines: maxQuotedLines, maxRecordBytes: maxRecordBytes)
        switch scanner.next() {
        case .end:
            return
        case .failed(let failure):
            throw DataIssue(path: path, row: 1, message: failure.message)
        case .rejected:
            throw headerIssue(scanner.problem, row: scanner.recordRow)
        case .record:
            if let problem = scanner.problem { throw headerIssue(problem, row: scanner.recordRow) }
            header = scanner.strings()
        }
        let settled = scanner.settle()
        if let failure = settled { throw DataIssue(path: path, row: 1, message: failure.message) }
        dataStart = scanner.inputPosition
        dataLine = scanner.line
        dataRow = scanner.row
    }

    private func headerIssue(_ problem: CSVProblem?, row: Int) -> DataIssue {
        guard let problem else { return DataIssue(path: path, row: row, message: "the header cannot be read") }
        var issue = ClientReader.issue(for: problem, path: path, row: row, line: problem.line ?? row,
                                       maxQuotedLines: maxQuotedLines, maxRecordBytes: maxRecordBytes)
        issue.text = "the header: " + issue.text
        return issue
    }

    /// Maps header columns to fields; reports missing required columns all at once.
    func mapColumns(_ names: [String]) throws {
        var used = Set<Int>()
        for (i, name) in names.enumerated() {
            guard let slot = slotOfKey[ClientReader.key(name)] else {
                warnings.append(DataIssue(path: path, row: dataRow - 1, column: i + 1,
                                          message: "unknown column '\(name)' is ignored" +
                                          (Suggest.closest(name, among: record.fields.map(\.name)).map { "; did you mean '\($0)'?" } ?? "")))
                continue
            }
            if used.contains(slot) {
                throw DataIssue(path: path, row: dataRow - 1, column: i + 1, field: record.fields[slot].name,
                                message: "two columns give this field")
            }
            used.insert(slot)
            columnOf[slot] = i
        }
        let missing = record.fields.enumerated().filter { columnOf[$0.offset] == nil && !$0.element.type.isOptional }
        if !missing.isEmpty {
            throw DataIssue(path: path, row: dataRow - 1, message: "missing required column\(missing.count == 1 ? "" : "s"): "
                            + missing.map { "'\($0.element.name)'" }.joined(separator: ", "))
        }
    }

    /// JSON Lines has no header: the keys of the first object stand in for
    /// one, so that unknown keys are warned about before any row is read.
    private func warnAboutFirstLineKeys() {
        var scanner = JSONLineScanner(source: ByteSource(input: input, start: 0, chunkSize: 64 * 1024),
                                      maxLineBytes: maxRecordBytes)
        var scratch: [UInt8] = []
        while true {
            guard case .line(let start, let end) = scanner.next() else { return }
            guard let members = try? JSONLinesReader.parse(scanner.source.base, start, end, line: scanner.line,
                                                           scratch: &scratch) else { return }
            for (i, m) in members.enumerated() where slotOfKey[ClientReader.key(m.key)] == nil {
                warnUnknownKey(m.key, row: scanner.line, column: i + 1)
            }
            return
        }
    }

    /// The warning for an unknown JSON Lines key, once per key; whether it
    /// was new.
    @discardableResult
    public func warnUnknownKey(_ key: String, row: Int, column: Int) -> DataIssue? {
        guard warnedKeys.insert(key).inserted else { return nil }
        let w = DataIssue(path: path, row: row, column: column,
                          message: "unknown key '\(key)' is ignored" +
                          (Suggest.closest(key, among: record.fields.map(\.name)).map { "; did you mean '\($0)'?" } ?? ""))
        warnings.append(w)
        return w
    }

    // MARK: Ranges

    /// What reading a range found besides its rows.
    public struct RangeEnd: Sendable {
        /// The input position where the range's last record ended: the
        /// next range starts there.
        public var end: Int
        /// Lines and rows from the range's start to `end`.
        public var lines: Int
        public var rows: Int
        /// An input/output failure that ended reading (nothing after it is read).
        public var failure: String?
        /// JSON Lines keys that name no field: each once, where it first occurs.
        public var unknownKeys: [(key: String, row: Int, column: Int)] = []

        public init(end: Int, lines: Int, rows: Int, failure: String? = nil,
                    unknownKeys: [(key: String, row: Int, column: Int)] = []) {
            self.end = end
            self.lines = lines
            self.rows = rows
            self.failure = failure
            self.unknownKeys = unknownKeys
        }
    }

    /// Reads the records that start in `start ..< stop` (and the last one on
    /// past `stop`): accepted rows into `rows`, rejected ones into
    /// `rejects`, all numbered from the range's first line and row (0).
    /// `start` must be where a record (or blank line) starts. `chunkBytes`
    /// is how much is read at a time.
    public func readRange(start: Int, stop: Int = Int.max, into rows: inout ClientRows,
                          rejects: inout [RejectedRow], chunkBytes: Int = 1 << 20) -> RangeEnd {
        switch format {
        case .csv: return readCSV(start: start, stop: stop, into: &rows, rejects: &rejects, chunkBytes: chunkBytes)
        case .jsonl: return readJSON(start: start, stop: stop, into: &rows, rejects: &rejects, chunkBytes: chunkBytes)
        }
    }

    /// The issue for a record's problem, in the run's terms.
    static func issue(for problem: CSVProblem, path: String, row: Int, line: Int, maxQuotedLines: Int,
                      maxRecordBytes: Int) -> DataIssue {
        switch problem {
        case .unterminatedQuote(let l, let c):
            return DataIssue(path: path, row: row, column: c,
                             message: "unterminated quoted field: the quote opened here never closes; reading resumes on the next line",
                             line: l)
        case .quotedFieldTooLong(let l, let c):
            return DataIssue(path: path, row: row, column: c,
                             message: "the quoted field opened here runs past \(maxQuotedLines) lines or "
                                + "\(CSVError.size(maxRecordBytes)) (a stray quote?): a quoted field may span at most "
                                + "\(maxQuotedLines) lines and a row at most \(CSVError.size(maxRecordBytes)); "
                                + "reading resumes on the next line",
                             line: l)
        case .recordTooLong(let l):
            return DataIssue(path: path, row: row,
                             message: "the row is longer than \(CSVError.size(maxRecordBytes)), the longest row read; "
                                + "reading resumes on the next line",
                             line: l)
        case .quoteInUnquotedField(let l, let c):
            return DataIssue(path: path, row: row, column: c,
                             message: "quote inside an unquoted field; a field with quotes must be enclosed in quotes and its quotes doubled",
                             line: l)
        case .textAfterClosingQuote(let l, let c):
            return DataIssue(path: path, row: row, column: c,
                             message: "unexpected text after the closing quote of a field", line: l)
        case .invalidUTF8(let l, let c):
            return DataIssue(path: path, row: row, column: c, message: "invalid UTF-8; save the file as UTF-8", line: l)
        case .ragged(let expected, let got):
            return DataIssue(path: path, row: row,
                             message: "the row has \(got) field\(got == 1 ? "" : "s"), the header \(expected)",
                             line: line)
        }
    }

    private func readCSV(start: Int, stop: Int, into rows: inout ClientRows, rejects: inout [RejectedRow],
                         chunkBytes: Int) -> RangeEnd {
        var scanner = CSVScanner(source: ByteSource(input: input, start: start, chunkSize: chunkBytes),
                                 separator: dialect?.separator ?? UInt8(ascii: ","), start: 0, line: 0, row: 0,
                                 maxQuotedLines: maxQuotedLines, maxRecordBytes: maxRecordBytes)
        scanner.expectedFieldCount = header.count
        scanner.stopAt = stop
        let decoder = self.decoder
        let checking = decoder.fingerprintSlot != nil
        let scratch = UnsafeMutablePointer<Int64>.allocate(capacity: max(1, decoder.width))
        defer { scratch.deallocate() }
        var failure: String?
        reading: while true {
            switch scanner.next() {
            case .end:
                break reading
            case .failed(let error):
                failure = error.message
                rejects.append(RejectedRow(issue: DataIssue(path: path, row: scanner.row, message: error.message,
                                                            line: scanner.line), fields: []))
                break reading
            case .rejected:
                guard let problem = scanner.problem else { continue }
                let issue: DataIssue
                switch problem {
                case .unterminatedQuote, .quotedFieldTooLong, .recordTooLong:
                    issue = ClientReader.issue(for: problem, path: path, row: scanner.recordRow, line: scanner.recordLine,
                                               maxQuotedLines: maxQuotedLines, maxRecordBytes: maxRecordBytes)
                case .quoteInUnquotedField, .textAfterClosingQuote, .invalidUTF8, .ragged:
                    issue = DataIssue(path: path, row: scanner.recordRow, column: scanner.crossedColumn,
                                      message: "the quoted field opened here runs over several lines into a row that "
                                        + "cannot be read (\(ClientReader.issue(for: problem, path: path, row: 0, line: 0, maxQuotedLines: maxQuotedLines, maxRecordBytes: maxRecordBytes).text)): "
                                        + "a stray quote? Only this line is rejected; the lines after it are read as rows",
                                      line: scanner.recordLine)
                }
                rejects.append(RejectedRow(issue: issue, fields: [String(decoding: scanner.rejectedText, as: UTF8.self)]))
            case .record:
                if let problem = scanner.problem {
                    let issue = ClientReader.issue(for: problem, path: path, row: scanner.recordRow, line: scanner.recordLine,
                                                   maxQuotedLines: maxQuotedLines, maxRecordBytes: maxRecordBytes)
                    let fields = problem.garblesFields ? [String(decoding: scanner.recordText(), as: UTF8.self)] : scanner.strings()
                    rejects.append(RejectedRow(issue: issue, fields: fields))
                    continue
                }
                var fingerprint: (UInt64, UInt64) = (0, 0)
                if let f = decoder.decode(scanner.view, into: scratch, rows: &rows, fingerprint: &fingerprint) {
                    let column = columnOf[f.slot].map { $0 + 1 }
                    rejects.append(RejectedRow(issue: DataIssue(path: path, row: scanner.recordRow, column: column,
                                                                field: decoder.fieldName(f.slot), message: f.message,
                                                                line: scanner.recordLine),
                                               fields: scanner.strings()))
                    continue
                }
                rows.appendRow(scratch, row: scanner.recordRow, line: scanner.recordLine, offset: scanner.recordOffset)
                if checking { rows.appendFingerprint(fingerprint) }
            }
        }
        return RangeEnd(end: scanner.inputPosition, lines: scanner.line, rows: scanner.row, failure: failure)
    }

    private func readJSON(start: Int, stop: Int, into rows: inout ClientRows, rejects: inout [RejectedRow],
                          chunkBytes: Int) -> RangeEnd {
        var scanner = JSONLineScanner(source: ByteSource(input: input, start: start, chunkSize: chunkBytes),
                                      maxLineBytes: maxRecordBytes)
        scanner.stopAt = stop
        let decoder = self.decoder
        let checking = decoder.fingerprintSlot != nil
        let width = decoder.width
        let scratch = UnsafeMutablePointer<Int64>.allocate(capacity: max(1, width))
        defer { scratch.deallocate() }
        var lineScratch: [UInt8] = []
        var values = JSONValues(width: width)
        var keyCache: [String: Int] = [:]
        var unknown: [(key: String, row: Int, column: Int)] = []
        var unknownSeen: Set<String> = []
        var failure: String?
        reading: while true {
            switch scanner.next() {
            case .end:
                break reading
            case .failed(let error):
                failure = error.message
                rejects.append(RejectedRow(issue: DataIssue(path: path, row: scanner.line, message: error.message),
                                           fields: []))
                break reading
            case .tooLong:
                let row = scanner.line - 1
                rejects.append(RejectedRow(issue: DataIssue(path: path, row: row,
                                                            message: "the line is longer than \(CSVError.size(maxRecordBytes)), the longest line read; reading resumes on the next line"),
                                           fields: []))
            case .line(let lineStart, let lineEnd):
                let row = scanner.line - 1
                let offset = scanner.source.offset + lineStart
                let members: [(key: String, value: JSONScalar)]
                do {
                    guard let m = try JSONLinesReader.parse(scanner.source.base, lineStart, lineEnd, line: row,
                                                            scratch: &lineScratch) else { continue }
                    members = m
                } catch {
                    let text = String(decoding: UnsafeBufferPointer(start: scanner.source.base + lineStart,
                                                                    count: lineEnd - lineStart), as: UTF8.self)
                    rejects.append(RejectedRow(issue: ClientReader.issue(for: error, path: path, row: row),
                                               fields: [text]))
                    continue
                }
                switch values.fill(members, record: record, slotOf: { key in
                    if let s = keyCache[key] { return s }
                    let s = slotOfKey[key] ?? slotOfKey[ClientReader.key(key)] ?? -1
                    keyCache[key] = s
                    return s
                }) {
                case .unknownKeys(let keys):
                    for (key, column) in keys where unknownSeen.insert(key).inserted {
                        unknown.append((key, row, column))
                    }
                    fallthrough
                case .ok:
                    break
                case .rejected(let slot, let column, let message, let keys):
                    for (key, column) in keys where unknownSeen.insert(key).inserted {
                        unknown.append((key, row, column))
                    }
                    rejects.append(RejectedRow(issue: DataIssue(path: path, row: row, column: column,
                                                                field: record.fields[slot].name, message: message),
                                               fields: values.texts()))
                    continue
                }
                var fingerprint: (UInt64, UInt64) = (0, 0)
                let failed = values.withSource { source in
                    decoder.decode(source, into: scratch, rows: &rows, fingerprint: &fingerprint)
                }
                if let f = failed {
                    rejects.append(RejectedRow(issue: DataIssue(path: path, row: row, column: values.column(f.slot),
                                                                field: decoder.fieldName(f.slot), message: f.message),
                                               fields: values.texts()))
                    continue
                }
                rows.appendRow(scratch, row: row, line: row, offset: offset)
                if checking { rows.appendFingerprint(fingerprint) }
            }
        }
        return RangeEnd(end: scanner.inputPosition, lines: scanner.line, rows: scanner.line, failure: failure,
                        unknownKeys: unknown)
    }

    /// The issue for a JSON Lines line that is not a JSON object.
    static func issue(for error: JSONLinesError, path: String, row: Int) -> DataIssue {
        switch error {
        case .notAnObject(_, let column):
            return DataIssue(path: path, row: row, message: "expected a JSON object", character: column)
        case .malformed(_, let column, let reason):
            return DataIssue(path: path, row: row, message: reason, character: column)
        case .duplicateKey(let key, _, let column):
            return DataIssue(path: path, row: row, message: "duplicate key \"\(key)\"", character: column)
        case .lineTooLong(_, let maxBytes):
            return DataIssue(path: path, row: row,
                             message: "the line is longer than \(CSVError.size(maxBytes)), the longest line read")
        case .io(let message):
            return DataIssue(path: path, row: row, message: message)
        }
    }

    /// The fields of the record that starts at input position `offset`, as
    /// read (for a row rejected after reading: a repeated id, a client that
    /// cannot be decided). CSV: by column; JSON Lines: by field.
    public func originalFields(at offset: Int) -> [String] {
        originalRecord(at: offset).fields
    }

    /// The same, with the column of the record's id (CSV: its column; JSON
    /// Lines: the position of its key in the line).
    public func originalRecord(at offset: Int) -> (fields: [String], idColumn: Int?) {
        switch format {
        case .csv:
            var scanner = CSVScanner(source: ByteSource(input: input, start: offset, chunkSize: 64 * 1024),
                                     separator: dialect?.separator ?? UInt8(ascii: ","), start: 0, line: 0, row: 0,
                                     maxQuotedLines: maxQuotedLines, maxRecordBytes: maxRecordBytes)
            guard case .record = scanner.next() else { return ([], nil) }
            return (scanner.strings(), idSlot.flatMap { columnOf[$0] }.map { $0 + 1 })
        case .jsonl:
            var scanner = JSONLineScanner(source: ByteSource(input: input, start: offset, chunkSize: 64 * 1024),
                                          maxLineBytes: maxRecordBytes)
            var scratch: [UInt8] = []
            guard case .line(let start, let end) = scanner.next(),
                  let members = try? JSONLinesReader.parse(scanner.source.base, start, end, line: 0, scratch: &scratch)
            else { return ([], nil) }
            var values = JSONValues(width: record.fields.count)
            _ = values.fill(members, record: record) { slotOfKey[$0] ?? slotOfKey[ClientReader.key($0)] ?? -1 }
            return (values.texts(), idSlot.flatMap { values.column($0) })
        }
    }

    // MARK: Reading in order

    public enum ReadResult {
        case client
        case rejected(DataIssue)
        case end
    }

    /// The row (CSV record or JSON line) last read, in the file's numbering.
    public private(set) var row = 1
    /// The raw fields of the row last read, for rejected-row output.
    public private(set) var rawFields: [String] = []
    /// The id of the row last read, when the record has an `id` field.
    public private(set) var currentID: String?

    private var sequence: Sequence?

    /// Rows read ahead by `next(into:)`, a small range at a time.
    private struct Sequence {
        /// Where the next range starts, and its first line and row.
        var position: Int
        var nextLineBase: Int
        var nextRowBase: Int
        /// The first line and row of the range being handed out.
        var lineBase = 0
        var rowBase = 0
        var rows: ClientRows
        /// The range's texts, made once per range (not once per row).
        var texts: [String] = []
        var rejects: [RejectedRow] = []
        var nextRow = 0
        var nextReject = 0
        var done = false
        var seen = SeenIDs()
    }

    /// Reads the next client into `batch` (appending one row). A bad row is
    /// returned as `.rejected` and nothing is appended.
    public func next(into batch: inout ClientBatch) -> ReadResult {
        if sequence == nil {
            sequence = Sequence(position: dataStart, nextLineBase: dataLine, nextRowBase: dataRow,
                                rows: ClientRows(width: record.fields.count))
        }
        guard var s = sequence else { return .end }
        // Taken out while in use: a second reference would make every
        // insertion into `seen` copy the whole table (quadratic).
        sequence = nil
        defer { sequence = s }
        while true {
            let rowNext = s.nextRow < s.rows.count ? s.rows.rows[s.nextRow] : Int.max
            let rejectNext = s.nextReject < s.rejects.count ? s.rejects[s.nextReject].issue.row : Int.max
            if rejectNext != Int.max, rejectNext <= rowNext {
                let r = s.rejects[s.nextReject]
                s.nextReject += 1
                let issue = r.issue.shifted(rows: s.rowBase, lines: s.lineBase)
                row = issue.row
                rawFields = r.fields
                currentID = idOfRejected(r.fields)
                return .rejected(issue)
            }
            if rowNext != Int.max {
                let i = s.nextRow
                s.nextRow += 1
                row = s.rowBase + s.rows.rows[i]
                var idText: String?
                if let slot = idSlot, idIsText {
                    idText = s.rows.text(Int(s.rows.slots[i * s.rows.width + slot]))
                }
                currentID = idText
                rawFields = []
                if let (h, l) = s.rows.fingerprint(i), let slot = idSlot,
                   let first = s.seen.firstRow(fingerprint: (h, UInt32(truncatingIfNeeded: l)), row: row) {
                    let original = originalRecord(at: s.rows.offsets[i])
                    rawFields = original.fields
                    return .rejected(DataIssue(path: path, row: row, column: original.idColumn,
                                               field: record.fields[slot].name, message: "duplicate id '\(idText ?? "")'",
                                               line: s.lineBase + s.rows.lines[i], earlierRow: first))
                }
                batch.append(encoded: s.rows.slots, at: i * s.rows.width, texts: s.texts,
                             textFields: textFields, optionalFields: optionalFields)
                return .client
            }
            if s.done { return .end }
            // Read the next small range.
            s.rows.removeAll()
            s.rejects.removeAll()
            s.nextRow = 0
            s.nextReject = 0
            s.rowBase = s.nextRowBase
            s.lineBase = s.nextLineBase
            let end = readRange(start: s.position, stop: s.position + 64 * 1024, into: &s.rows, rejects: &s.rejects,
                                chunkBytes: 64 * 1024)
            for (key, r, column) in end.unknownKeys {
                warnUnknownKey(key, row: s.rowBase + r, column: column)
            }
            if end.failure != nil || end.end <= s.position { s.done = true }
            s.texts = s.rows.texts()
            s.position = end.end
            s.nextRowBase += end.rows
            s.nextLineBase += end.lines
        }
    }

    /// The id of a rejected row, from its fields (when they are columns).
    private func idOfRejected(_ fields: [String]) -> String? {
        guard let slot = idSlot else { return nil }
        switch format {
        case .csv:
            guard fields.count == header.count, let c = columnOf[slot], c < fields.count else { return nil }
            return fields[c]
        case .jsonl:
            return slot < fields.count ? fields[slot] : nil
        }
    }

    /// A row's raw fields in the file's column order, rebuilt from its values.
    public func rawFields(of values: [Value], policy: Policy) -> [String] {
        let f = ValueFormatter(policy: policy)
        var out = Array(repeating: "", count: format == .csv ? header.count : values.count)
        for (slot, v) in values.enumerated() where !v.isMissing {
            let col = format == .csv ? columnOf[slot] : slot
            if let c = col, c < out.count { out[c] = f.text(v) }
        }
        return out
    }
}

/// One JSON line's values by field slot: their bytes, the member each came
/// from, and the keys that named no field.
struct JSONValues {
    let width: Int
    private var bytes: [UInt8] = []
    /// Per slot: start and end in `bytes`, or -1 when no key gave it; null is empty.
    private var bounds: [Int]
    /// Per slot: the member's position (1-based), 0 when none.
    private var members: [Int]

    init(width: Int) {
        self.width = width
        bounds = Array(repeating: -1, count: 2 * width)
        members = Array(repeating: 0, count: width)
    }

    enum Fill {
        case ok
        case unknownKeys([(String, Int)])
        /// A value that cannot be a field's (a nested one, or a second key
        /// for one field); unknown keys found before it.
        case rejected(slot: Int, column: Int, message: String, unknown: [(String, Int)])
    }

    mutating func fill(_ object: [(key: String, value: JSONScalar)], record: RecordType,
                       slotOf: (String) -> Int) -> Fill {
        bytes.removeAll(keepingCapacity: true)
        for i in 0..<(2 * width) { bounds[i] = -1 }
        for i in 0..<width { members[i] = 0 }
        var unknown: [(String, Int)] = []
        for (i, kv) in object.enumerated() {
            let slot = slotOf(kv.key)
            guard slot >= 0, slot < width else {
                unknown.append((kv.key, i + 1))
                continue
            }
            if members[slot] != 0 {
                let firstKey = object[members[slot] - 1].key
                return .rejected(slot: slot, column: i + 1,
                                 message: "two keys give this field ('\(firstKey)' and '\(kv.key)')", unknown: unknown)
            }
            members[slot] = i + 1
            let start = bytes.count
            switch kv.value {
            case .string(let s), .number(let s): bytes.append(contentsOf: s.utf8)
            case .bool(let b): bytes.append(contentsOf: (b ? "true" : "false").utf8)
            case .null: break
            case .nested(let k):
                return .rejected(slot: slot, column: i + 1, message: "expected a value, got a JSON \(k.rawValue)",
                                 unknown: unknown)
            }
            bounds[2 * slot] = start
            bounds[2 * slot + 1] = bytes.count
        }
        return unknown.isEmpty ? .ok : .unknownKeys(unknown)
    }

    /// The member position of field `slot`, when a key gave it.
    func column(_ slot: Int) -> Int? { members[slot] == 0 ? nil : members[slot] }

    /// The values as text by slot ("" for absent and null), for rejected rows.
    func texts() -> [String] {
        (0..<width).map { slot in
            bounds[2 * slot] < 0 ? "" : String(decoding: bytes[bounds[2 * slot]..<bounds[2 * slot + 1]], as: UTF8.self)
        }
    }

    func withSource<R>(_ body: (Source) -> R) -> R {
        bytes.withUnsafeBytes { all in
            bounds.withUnsafeBufferPointer { b in
                body(Source(base: all.baseAddress, bounds: b.baseAddress))
            }
        }
    }

    struct Source: FieldSource {
        let base: UnsafeRawPointer?
        let bounds: UnsafePointer<Int>?

        @inline(__always)
        func field(slot: Int, column: Int) -> UnsafeRawBufferPointer? {
            guard let bounds else { return nil }
            let start = bounds[2 * slot]
            if start < 0 { return nil }
            guard let base else { return UnsafeRawBufferPointer(start: nil, count: 0) }
            return UnsafeRawBufferPointer(start: base + start, count: bounds[2 * slot + 1] - start)
        }
    }
}
