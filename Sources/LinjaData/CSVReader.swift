#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import LinjaBase
import LinjaSyntax
import LinjaModel

/// The field separator of a CSV file. Finnish spreadsheets write `;`
/// (the comma is the decimal separator there); most other tools write `,`.
public struct CSVDialect: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The separator byte; an ASCII character other than `"`, CR or LF.
    public var separator: UInt8

    public init(separator: UInt8) {
        self.separator = separator
    }

    /// RFC 4180: fields separated by `,`.
    public static let comma = CSVDialect(separator: UInt8(ascii: ","))
    /// Finnish spreadsheet export: fields separated by `;`.
    public static let semicolon = CSVDialect(separator: UInt8(ascii: ";"))

    public var description: String {
        separator < 0x80 ? "'\(Character(Unicode.Scalar(separator)))'" : "byte \(separator)"
    }
}

/// Where something is in a CSV file, in the terms a spreadsheet user sees.
public struct CSVPosition: Sendable, Equatable, Hashable {
    /// The record number as a spreadsheet numbers rows: the header is 1, the
    /// first data record 2. Skipped blank lines do not count; a record with
    /// line breaks inside quotes counts once.
    public var record: Int
    /// The 1-based physical line of the file (every line counts, blank ones
    /// and the extra lines of multi-line fields too).
    public var line: Int
    /// The 1-based field number within the record.
    public var column: Int

    public init(record: Int, line: Int, column: Int) {
        self.record = record
        self.line = line
        self.column = column
    }
}

/// A problem with CSV input. Every per-record error leaves the reader ready
/// for the next record, except `unterminatedQuote` and `io`, which end it.
public enum CSVError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A quoted field never closes; it would run to the end of the input.
    /// The position is where the opening quote is. The record is rejected
    /// through that line, and reading resumes on the next line.
    case unterminatedQuote(CSVPosition)
    /// A quoted field spans more lines than a quoted field may, or its
    /// record grows past the longest record: almost always a stray quote.
    /// The position is where the opening quote is; the record is rejected
    /// through that line, and reading resumes on the next line.
    case quotedFieldTooLong(CSVPosition, maxLines: Int, maxBytes: Int)
    /// A record longer than the longest record, without a quote to blame;
    /// its first line is rejected, and reading resumes on the next line.
    case recordTooLong(CSVPosition, maxBytes: Int)
    /// A `"` inside a field that did not start with one (e.g. `ab"c`).
    case quoteInUnquotedField(CSVPosition)
    /// Text after the closing quote of a quoted field (e.g. `"ab"c`).
    case textAfterClosingQuote(CSVPosition)
    /// A field is not valid UTF-8 (often: a file saved as Windows-1252).
    case invalidUTF8(CSVPosition)
    /// A record has a different number of fields than the header. Reported
    /// beside the record (`CSVReader.recordIssue`), never thrown by `next()`,
    /// so the caller decides whether that rejects the row.
    case raggedRow(record: Int, line: Int, expected: Int, got: Int)
    /// The input could not be opened or read.
    case io(String)

    public var description: String {
        switch self {
        case .unterminatedQuote(let p):
            return "unterminated quoted field in record \(p.record) (the quote opened at line \(p.line), column \(p.column))"
        case .quotedFieldTooLong(let p, let maxLines, let maxBytes):
            return "the quoted field opened at line \(p.line), column \(p.column) of record \(p.record) runs past "
                + "\(maxLines) lines or \(CSVError.size(maxBytes)) (a stray quote?); the record is rejected through that line"
        case .recordTooLong(let p, let maxBytes):
            return "record \(p.record) (line \(p.line)) is longer than \(CSVError.size(maxBytes)); its first line is rejected"
        case .quoteInUnquotedField(let p):
            return "quote inside an unquoted field in record \(p.record), column \(p.column) (line \(p.line)); a field with quotes must be enclosed in quotes and its quotes doubled"
        case .textAfterClosingQuote(let p):
            return "unexpected text after the closing quote of a field in record \(p.record), column \(p.column) (line \(p.line))"
        case .invalidUTF8(let p):
            return "invalid UTF-8 in record \(p.record), column \(p.column) (line \(p.line)); save the file as UTF-8"
        case .raggedRow(let record, let line, let expected, let got):
            return "record \(record) (line \(line)) has \(got) \(got == 1 ? "field" : "fields"), but the header has \(expected)"
        case .io(let message):
            return message
        }
    }

    /// A byte count as people read it: "8 MiB", "300 bytes".
    static func size(_ bytes: Int) -> String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }
}

/// A streaming CSV reader for files written by spreadsheets and client
/// systems: `,` or `;` separated (detected from the header), UTF-8 with or
/// without a byte-order mark, CRLF/LF/CR line ends, RFC 4180 quoting.
///
/// Built for speed on large files: input is read in chunks, and fields are
/// handed out as byte ranges into the reader's buffer instead of strings.
/// Quoted fields are unescaped in place. Nothing is allocated per field.
///
/// ```swift
/// let reader = try CSVReader(path: "asiakkaat.csv")
/// while try reader.next() {
///     if let issue = reader.recordIssue { ... }   // ragged row
///     let id = reader.string(0)
/// }
/// ```
///
/// Errors are values: `next()` throws per-record errors after consuming the
/// record, and the caller may go on calling `next()`.
///
/// Not thread-safe; use one reader per task.
public final class CSVReader {
    /// The separator in use: detected from the header line unless given.
    public private(set) var dialect: CSVDialect
    /// The header fields (record 1); empty for an empty input.
    public private(set) var header: [String] = []
    /// Whether the input started with a UTF-8 byte-order mark (stripped).
    public private(set) var hadBOM = false

    /// All reading state lives in one struct behind a pointer: class
    /// properties are checked for exclusive access at run time, which cost a
    /// quarter to a half of the reading time; a `let` pointer is not.
    private let scanner: UnsafeMutablePointer<CSVScanner>

    /// Reads the file at `path` ("-" for standard input). Reads the header
    /// eagerly, so a bad header throws here. `dialect` overrides detection.
    public convenience init(path: String, dialect: CSVDialect? = nil, chunkSize: Int = 1 << 20) throws(CSVError) {
        let source: ByteSource
        do {
            source = try ByteSource(path: path, chunkSize: chunkSize)
        } catch {
            throw CSVError.io(error.message)
        }
        try self.init(source: source, dialect: dialect)
    }

    /// Reads from an open file descriptor, e.g. a pipe.
    public convenience init(fileDescriptor: Int32, closeWhenDone: Bool = false, dialect: CSVDialect? = nil,
                            chunkSize: Int = 1 << 20) throws(CSVError) {
        try self.init(source: ByteSource(fileDescriptor: fileDescriptor, closeWhenDone: closeWhenDone,
                                         chunkSize: chunkSize),
                      dialect: dialect)
    }

    /// Reads from memory (tests, small inputs). `chunkSize` still applies,
    /// so tests can put chunk boundaries anywhere.
    public convenience init(bytes: [UInt8], dialect: CSVDialect? = nil, chunkSize: Int = 1 << 20) throws(CSVError) {
        try self.init(source: ByteSource(bytes: bytes, chunkSize: chunkSize), dialect: dialect)
    }

    init(source: consuming ByteSource, dialect explicitDialect: CSVDialect?) throws(CSVError) {
        var start = 0
        var bom = false
        let detected: CSVDialect
        do throws(DataIOFailure) {
            if try source.fill(atLeast: 3), source.base[0] == 0xEF, source.base[1] == 0xBB, source.base[2] == 0xBF {
                bom = true
                start = 3
            }
            if let explicitDialect {
                detected = explicitDialect
            } else {
                detected = try CSVReader.detectDialect(&source, from: start)
            }
        } catch {
            throw CSVError.io(error.message)
        }
        dialect = detected
        hadBOM = bom
        scanner = UnsafeMutablePointer<CSVScanner>.allocate(capacity: 1)
        scanner.initialize(to: CSVScanner(source: source, separator: detected.separator, start: start))
        // Fully initialised from here on: `deinit` frees the scanner even if
        // reading the header throws.
        guard try next() else { return }
        header = scanner.pointee.strings()
        scanner.pointee.expectedFieldCount = header.count
    }

    deinit {
        scanner.deinitialize(count: 1)
        scanner.deallocate()
    }

    // MARK: Reading

    /// Advances to the next record; returns false at the end of the input.
    ///
    /// Throws a record's error after consuming that record, so the caller
    /// can log it and call `next()` again. After `unterminatedQuote` or `io`
    /// there is nothing more to read and `next()` returns false.
    public func next() throws(CSVError) -> Bool {
        issue = nil
        switch scanner.pointee.next() {
        case .end:
            return false
        case .failed(let failure):
            throw CSVError.io(failure.message)
        case .rejected:
            throw error(scanner.pointee.problem)
        case .record:
            guard let problem = scanner.pointee.problem else { return true }
            if case .ragged(let expected, let got) = problem {
                issue = .raggedRow(record: record, line: line, expected: expected, got: got)
                return true
            }
            throw error(problem)
        }
    }

    /// The current record's problem as an error, in the record's terms.
    private func error(_ problem: CSVProblem?) -> CSVError {
        let record = scanner.pointee.record
        let maxLines = scanner.pointee.maxQuotedLines
        let maxBytes = scanner.pointee.maxRecordBytes
        switch problem {
        case .unterminatedQuote(let l, let c)?:
            return .unterminatedQuote(CSVPosition(record: record, line: l, column: c))
        case .quotedFieldTooLong(let l, let c)?:
            return .quotedFieldTooLong(CSVPosition(record: record, line: l, column: c), maxLines: maxLines, maxBytes: maxBytes)
        case .recordTooLong(let l)?:
            return .recordTooLong(CSVPosition(record: record, line: l, column: 1), maxBytes: maxBytes)
        case .quoteInUnquotedField(let l, let c)?:
            return .quoteInUnquotedField(CSVPosition(record: record, line: l, column: c))
        case .textAfterClosingQuote(let l, let c)?:
            return .textAfterClosingQuote(CSVPosition(record: record, line: l, column: c))
        case .invalidUTF8(let l, let c)?:
            return .invalidUTF8(CSVPosition(record: record, line: l, column: c))
        case .ragged(let expected, let got)?:
            return .raggedRow(record: record, line: scanner.pointee.recordLine, expected: expected, got: got)
        case nil:
            return .io("the record could not be read")
        }
    }

    private var issue: CSVError?

    /// The current record's number (the header is 1, the first data
    /// record 2). After an error, the number of the record that failed.
    public var record: Int {
        scanner.pointee.record
    }

    /// The physical line (1-based) where the current record starts.
    public var line: Int {
        scanner.pointee.recordLine
    }

    /// A non-fatal problem with the current record: `.raggedRow` when its
    /// field count differs from the header's. The record is still delivered.
    public var recordIssue: CSVError? {
        issue
    }

    /// The number of fields in the current record.
    public var fieldCount: Int {
        scanner.pointee.fields.count
    }

    /// Calls `body` with the bytes of field `index` (0-based) of the current
    /// record: valid UTF-8, quotes removed and unescaped. The bytes are only
    /// valid inside `body` (do not call `next()` there). A field the record
    /// does not have reads as empty, which is what a short (ragged) row
    /// means to most callers.
    @inlinable
    public func withField<R, E: Error>(_ index: Int, _ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(fieldBytes(index))
    }

    /// The bytes behind `withField`, non-generic so that the inlinable
    /// `withField` costs callers in other modules one plain call per field.
    @usableFromInline
    func fieldBytes(_ index: Int) -> UnsafeRawBufferPointer {
        scanner.pointee.fieldBytes(index)
    }

    /// Field `index` (0-based) as a string; "" for a field the record lacks.
    public func string(_ index: Int) -> String {
        String(decoding: scanner.pointee.fieldBytes(index), as: UTF8.self)
    }

    /// All fields of the current record as strings (convenient, not fast).
    public func strings() -> [String] {
        scanner.pointee.strings()
    }

    // MARK: Dialect detection

    /// Counts `,` and `;` outside quotes on the first non-blank line.
    /// Semicolon wins ties. A header with neither is one column; it is read
    /// with `;` so that decimal commas in its values stay inside the field.
    static func detectDialect(_ source: inout ByteSource, from start: Int) throws(DataIOFailure) -> CSVDialect {
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var commas = 0
        var semicolons = 0
        var inQuotes = false
        var sawContent = false
        var i = start
        scan: while true {
            if i >= source.count {
                if source.isAtEnd { break }
                try source.refill(keepingFrom: 0)
                continue
            }
            let b = source.base[i]
            i += 1
            if inQuotes {
                if b == quote { inQuotes = false }
                continue
            }
            switch b {
            case quote:
                inQuotes = true
                sawContent = true
            case cr, lf:
                if sawContent { break scan }
            case UInt8(ascii: ","):
                commas += 1
                sawContent = true
            case UInt8(ascii: ";"):
                semicolons += 1
                sawContent = true
            default:
                sawContent = true
            }
        }
        if commas > semicolons { return .comma }
        return .semicolon
    }
}
