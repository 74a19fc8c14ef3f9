// csv: arbitrary bytes as client data against the canonical client record
// (the record of rules/etela-keski-suomi, which imports rules/common).
//
// The first byte chooses: even = CSV, odd = JSON Lines; the byte's other
// bits choose a chunk size (1 to 128 bytes) for a second, reference reader
// of the same bytes. The rest of the input is the file, read by
// `ClientReader(path:policy:format:)` from a scratch file.
//
// Asserts, beyond "no crash, no hang":
// - the reference reader (`CSVReader(bytes:chunkSize:)` or
//   `JSONLinesReader(bytes:chunkSize:)`, tiny chunks) agrees with the
//   ClientReader row by row: same row numbers, an error exactly where the
//   ClientReader rejects a row for a syntax error, the end at the same place
//   (chunk boundaries change nothing);
// - every accepted row round-trips: its raw fields written with `CSVWriter`
//   (the file's dialect, LF or CRLF) and read back with `CSVReader` are the
//   same fields, under the same header, with the dialect detected again;
// - all accepted rows, written as one CSV file (JSON Lines rows as CSV with
//   the record's field names) and read again by `ClientReader`, decode to
//   exactly the same clients (same slots, same texts), every row accepted.
import Foundation
import Linja

enum CSVHarness {
    static let policy: Policy = {
        let p = Policy.load(directory: Fuzz.repoRoot + "/rules/etela-keski-suomi", root: Fuzz.repoRoot + "/rules")
        precondition(!p.hasErrors && p.record != nil, "fuzz: rules/etela-keski-suomi does not check clean")
        return p
    }()
    static let record: RecordType = policy.record!
    static let inputCSV = Fuzz.scratch + "/clients.csv"
    static let inputJSONL = Fuzz.scratch + "/clients.jsonl"
    static let rewritten = Fuzz.scratch + "/rewritten.csv"

    /// Reads every row of a client file; `step` is called after each one.
    static func readAll(_ reader: ClientReader, step: (ClientReader.ReadResult, ClientReader) -> Void) -> ClientBatch {
        var batch = ClientBatch(width: record.fields.count)
        var rows = 0
        while true {
            let r = reader.next(into: &batch)
            step(r, reader)
            if case .end = r { break }
            rows += 1
            if rows > 1_000_000 { Fuzz.fail("the client reader does not end") }
        }
        return batch
    }

    static func run(_ data: [UInt8]) {
        guard let selector = data.first else { return }
        let bytes = Array(data.dropFirst())
        let chunk = 1 + Int(selector >> 1) % 128
        if selector & 1 == 0 { runCSV(bytes, chunk: chunk) } else { runJSONL(bytes, chunk: chunk) }
    }

    // MARK: CSV

    static func runCSV(_ bytes: [UInt8], chunk: Int) {
        Fuzz.write(bytes, to: inputCSV)
        let reader: ClientReader
        do { reader = try ClientReader(path: inputCSV, policy: policy, format: .csv) } catch {
            Fuzz.log("csv: not read: \(error)")
            return
        }
        let ref: CSVReader
        do { ref = try CSVReader(bytes: bytes, chunkSize: chunk) } catch {
            Fuzz.fail("ClientReader read the header, CSVReader(bytes:chunkSize: \(chunk)) threw \(error)")
        }
        if ref.header != reader.header || ref.dialect != reader.dialect {
            Fuzz.fail("the header or dialect depends on the chunk size",
                      "client reader: \(reader.header) \(String(describing: reader.dialect))\nchunk \(chunk): \(ref.header) \(ref.dialect)")
        }
        var accepted: [[String]] = []
        var refEnded = false
        let batch = readAll(reader) { r, reader in
            var refRow: [String]?
            var refError: CSVError?
            do throws(CSVError) {
                if try ref.next() { refRow = ref.strings() } else { refEnded = true }
            } catch {
                refError = error
            }
            switch r {
            case .end:
                if !refEnded { Fuzz.fail("ClientReader ended but the reference reader has record \(ref.record)") }
            case .rejected(let issue):
                if refEnded { Fuzz.fail("the reference reader ended, the ClientReader rejected row \(issue.row): \(issue)") }
                if issue.row != ref.record {
                    Fuzz.fail("rejected row \(issue.row) is record \(ref.record) for the reference reader: \(issue)")
                }
                if issue.field != nil, let e = refError {
                    Fuzz.fail("row \(issue.row) rejected for a field (\(issue)), the reference reader threw \(e)")
                }
                if issue.field == nil, refError == nil, ref.recordIssue == nil {
                    Fuzz.fail("row \(issue.row) rejected (\(issue)), the reference reader (chunk \(chunk)) read it without fault")
                }
            case .client:
                if let e = refError { Fuzz.fail("the reference reader (chunk \(chunk)) threw \(e) on a row the ClientReader accepted (row \(reader.row))") }
                guard let fields = refRow else { Fuzz.fail("the reference reader ended before accepted row \(reader.row)") }
                if reader.row != ref.record { Fuzz.fail("accepted row \(reader.row) is record \(ref.record) for the reference reader") }
                if ref.recordIssue != nil { Fuzz.fail("accepted row \(reader.row) is ragged: \(ref.recordIssue!)") }
                roundTrip(header: ref.header, fields: fields, dialect: ref.dialect, row: reader.row)
                accepted.append(fields)
            }
        }
        Fuzz.log("csv: \(ref.header.count) columns, \(accepted.count) rows accepted, \(batch.count) clients")
        if batch.count != accepted.count { Fuzz.fail("\(accepted.count) rows accepted, \(batch.count) clients in the batch") }
        reread(header: ref.header, rows: accepted, dialect: ref.dialect, expected: batch)
    }

    /// One record written and read back: the same fields.
    static func roundTrip(header: [String], fields: [String], dialect: CSVDialect, row: Int) {
        for ending in [CSVLineEnding.lf, .crlf] {
            let w = CSVWriter(dialect: dialect, lineEnding: ending)
            do {
                try w.writeRecord(header)
                try w.writeRecord(fields)
                try w.close()
            } catch {
                Fuzz.fail("CSVWriter failed on row \(row): \(error)")
            }
            let written = w.bytes
            do {
                let back = try CSVReader(bytes: written)
                if back.header != header { Fuzz.fail("row \(row): the header does not round-trip", "\(header)\n\(back.header)") }
                if header.count > 1, back.dialect != dialect { Fuzz.fail("row \(row): dialect \(dialect) read back as \(back.dialect)") }
                guard try back.next() else { Fuzz.fail("row \(row): the record did not come back") }
                if back.strings() != fields {
                    Fuzz.fail("row \(row): fields do not round-trip",
                              "wrote \(fields)\nread \(back.strings())\nbytes \(String(decoding: written, as: UTF8.self).debugDescription)")
                }
                if back.recordIssue != nil { Fuzz.fail("row \(row): \(back.recordIssue!) after the round trip") }
                if try back.next() { Fuzz.fail("row \(row): an extra record after the round trip: \(back.strings())") }
            } catch {
                Fuzz.fail("row \(row): reading the written record threw \(error)", String(decoding: written, as: UTF8.self).debugDescription)
            }
        }
    }

    /// Accepted rows written as one file and read by a ClientReader: the same clients.
    static func reread(header: [String], rows: [[String]], dialect: CSVDialect, expected: ClientBatch) {
        guard !rows.isEmpty else { return }
        let w = CSVWriter(dialect: dialect, lineEnding: .lf)
        do {
            try w.writeRecord(header)
            for r in rows { try w.writeRecord(r) }
            try w.close()
        } catch {
            Fuzz.fail("CSVWriter failed: \(error)")
        }
        Fuzz.write(w.bytes, to: rewritten)
        let again: ClientReader
        do { again = try ClientReader(path: rewritten, policy: policy, format: .csv) } catch {
            Fuzz.fail("the rewritten accepted rows are not readable: \(error)", String(decoding: w.bytes, as: UTF8.self))
        }
        let batch = readAll(again) { r, reader in
            if case .rejected(let issue) = r {
                Fuzz.fail("a rewritten accepted row is rejected: \(issue)", String(decoding: w.bytes, as: UTF8.self))
            }
        }
        if batch.slots != expected.slots || batch.texts != expected.texts {
            var detail = ""
            for i in 0..<min(batch.count, expected.count) {
                let a = expected.values(i, record: record), b = batch.values(i, record: record)
                if a != b { detail += "client \(i):\n  first \(a)\n  again \(b)\n" }
            }
            Fuzz.fail("the rewritten rows decode to other clients", detail)
        }
    }

    // MARK: JSON Lines

    static func runJSONL(_ bytes: [UInt8], chunk: Int) {
        Fuzz.write(bytes, to: inputJSONL)
        let reader: ClientReader
        do { reader = try ClientReader(path: inputJSONL, policy: policy, format: .jsonl) } catch {
            Fuzz.fail("a JSON Lines file could not be opened: \(error)")
        }
        let ref = JSONLinesReader(bytes: bytes, chunkSize: chunk)
        var refEnded = false
        var accepted: [[String]] = []
        let batch = readAll(reader) { r, reader in
            var refError: JSONLinesError?
            do throws(JSONLinesError) {
                if try ref.next() == nil { refEnded = true }
            } catch {
                refError = error
            }
            switch r {
            case .end:
                if !refEnded { Fuzz.fail("ClientReader ended but the reference reader has line \(ref.line)") }
            case .rejected(let issue):
                if refEnded { Fuzz.fail("the reference reader ended, the ClientReader rejected line \(issue.row): \(issue)") }
                if issue.row != ref.line { Fuzz.fail("rejected line \(issue.row) is line \(ref.line) for the reference reader: \(issue)") }
                if issue.field != nil, let e = refError {
                    Fuzz.fail("line \(issue.row) rejected for a field (\(issue)), the reference reader threw \(e)")
                }
                if issue.field == nil, refError == nil {
                    Fuzz.fail("line \(issue.row) rejected (\(issue)), the reference reader (chunk \(chunk)) read it without fault")
                }
            case .client:
                if let e = refError { Fuzz.fail("the reference reader (chunk \(chunk)) threw \(e) on a line the ClientReader accepted (line \(reader.row))") }
                if refEnded { Fuzz.fail("the reference reader ended before accepted line \(reader.row)") }
                if reader.row != ref.line { Fuzz.fail("accepted line \(reader.row) is line \(ref.line) for the reference reader") }
                let fields = reader.rawFields
                if fields.count != record.fields.count { Fuzz.fail("line \(reader.row): \(fields.count) raw fields for \(record.fields.count) record fields") }
                roundTrip(header: record.fields.map(\.name), fields: fields, dialect: .comma, row: reader.row)
                accepted.append(fields)
            }
        }
        Fuzz.log("jsonl: \(accepted.count) lines accepted, \(batch.count) clients")
        if batch.count != accepted.count { Fuzz.fail("\(accepted.count) lines accepted, \(batch.count) clients in the batch") }
        reread(header: record.fields.map(\.name), rows: accepted, dialect: .comma, expected: batch)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    CSVHarness.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
