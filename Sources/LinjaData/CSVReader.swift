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
    /// The position is where the opening quote is.
    case unterminatedQuote(CSVPosition)
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
        guard try scanner.pointee.next() else { return }
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
        try scanner.pointee.next()
    }

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
        scanner.pointee.issue
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
    private static func detectDialect(_ source: inout ByteSource, from start: Int) throws(DataIOFailure) -> CSVDialect {
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

/// The CSV state machine, its input and the current record, owned by one
/// `CSVReader`. Methods on a struct reach its fields without run-time
/// exclusivity checks, which matters per byte.
struct CSVScanner: ~Copyable {
    private static let quote = UInt8(ascii: "\"")
    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")

    private(set) var source: ByteSource
    let separator: UInt8
    /// Per byte value: bit 0 = stops an unquoted field, bit 1 = stops the
    /// scan inside a quoted field.
    private let classes: UnsafeMutablePointer<UInt8>
    /// Field `i` is `base[recordBase + bounds[2i] ..< recordBase + bounds[2i+1]]`.
    private(set) var fields = FieldBounds()
    private var recordBase = 0
    /// The header's field count once the header is read (0 before).
    var expectedFieldCount = 0
    private(set) var record = 0
    private(set) var recordLine = 0
    private(set) var issue: CSVError?
    /// Where scanning resumes, and the line it is on.
    private var position: Int
    private var physicalLine = 1
    /// The last record ended with CR: an LF right after it belongs to it.
    private var skipLineFeed = false
    private var finished = false

    init(source: consuming ByteSource, separator: UInt8, start: Int) {
        self.source = source
        self.separator = separator
        position = start
        classes = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        classes.initialize(repeating: 0, count: 256)
        classes[Int(separator)] |= 1
        for stop in [CSVScanner.quote, CSVScanner.cr, CSVScanner.lf] {
            classes[Int(stop)] |= 3
        }
    }

    deinit {
        classes.deallocate()
        fields.deallocate()
    }

    mutating func next() throws(CSVError) -> Bool {
        issue = nil
        if finished {
            fields.count = 0
            return false
        }
        switch scanRecord() {
        case .end:
            finished = true
            fields.count = 0
            return false
        case .fatal(let error):
            finished = true
            fields.count = 0
            throw error
        case .record(let error):
            if let error {
                fields.count = 0
                throw error
            }
            if fields.count != expectedFieldCount && record > 1 {
                issue = .raggedRow(record: record, line: recordLine, expected: expectedFieldCount, got: fields.count)
            }
            return true
        }
    }

    /// Field `index` of the current record; empty when there is no such
    /// field. Valid until the next `next()`.
    @inline(__always)
    func fieldBytes(_ index: Int) -> UnsafeRawBufferPointer {
        guard index >= 0, index < fields.count else {
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
        let start = recordBase &+ fields.bounds[2 &* index]
        let end = recordBase &+ fields.bounds[2 &* index &+ 1]
        return UnsafeRawBufferPointer(start: source.base + start, count: end &- start)
    }

    func strings() -> [String] {
        (0..<fields.count).map { String(decoding: fieldBytes($0), as: UTF8.self) }
    }

    /// Records the field `p[from..<to]`, checking its UTF-8 if it had
    /// non-ASCII bytes. (A static function with `inout` arguments rather
    /// than a closure over the scan's locals: captured variables are boxed
    /// and checked for exclusivity at run time.)
    @inline(__always)
    private static func endField(_ from: Int, _ to: Int, _ p: UnsafeMutablePointer<UInt8>, _ recordStart: Int,
                                 _ number: Int, _ fieldLine: Int, _ bounds: inout FieldBounds,
                                 _ highBits: inout UInt8, _ error: inout CSVError?) {
        if highBits & 0x80 != 0 {
            if error == nil, DataUTF8.firstInvalidByte(p + from, count: to - from) != nil {
                error = .invalidUTF8(CSVPosition(record: number, line: fieldLine, column: bounds.count + 1))
            }
            highBits = 0
        }
        bounds.append(from - recordStart, to - recordStart)
    }

    private enum State {
        case recordStart, fieldStart, unquoted, quoted, afterQuote
    }

    private enum ScanResult {
        /// A record was read; its error, if any, is to be thrown.
        case record(CSVError?)
        case end
        /// Nothing more can be read.
        case fatal(CSVError)
    }

    /// Reads one record into `fields`. The hot loop: everything it touches
    /// per byte lives in locals.
    private mutating func scanRecord() -> ScanResult {
        let classes = self.classes
        let separator = self.separator
        let quote = CSVScanner.quote
        let cr = CSVScanner.cr
        let lf = CSVScanner.lf
        let number = record + 1
        let stopMask = SWARMask(separator, quote, cr, lf)

        var p = source.base
        var end = source.count
        var pos = position
        var recordStart = pos
        var line = physicalLine
        var skipLF = skipLineFeed
        var recordLine = line
        var fieldLine = line
        var state = State.recordStart
        var fieldStart = pos
        var write = pos
        var highBits: UInt8 = 0
        var error: CSVError?
        var bounds = fields
        bounds.count = 0
        defer { fields = bounds }

        while true {
            if pos >= end {
                if !source.isAtEnd {
                    let shift: Int
                    do {
                        shift = try source.refill(keepingFrom: recordStart)
                    } catch {
                        record = number
                        return .fatal(.io(error.message))
                    }
                    p = source.base
                    end = source.count
                    pos -= shift
                    recordStart -= shift
                    fieldStart -= shift
                    write -= shift
                    continue
                }
                switch state {
                case .recordStart:
                    position = pos
                    physicalLine = line
                    return .end
                case .fieldStart:
                    CSVScanner.endField(pos, pos, p, recordStart, number, fieldLine, &bounds, &highBits, &error)
                case .unquoted:
                    CSVScanner.endField(fieldStart, pos, p, recordStart, number, fieldLine, &bounds, &highBits, &error)
                case .quoted:
                    // The quote never closes. Rather than lose every later row,
                    // reject this record and go on from the line after the one
                    // where the quote opened (the rest of the file is still in
                    // the buffer: it was kept from `recordStart`).
                    record = number
                    self.recordLine = recordLine
                    var resume = max(recordStart, fieldStart - 1)
                    while resume < end, p[resume] != lf, p[resume] != cr { resume += 1 }
                    var skip = false
                    if resume < end {
                        skip = p[resume] == cr
                        resume += 1
                    }
                    position = resume
                    physicalLine = fieldLine + 1
                    skipLineFeed = skip
                    let column = bounds.count + 1
                    bounds.count = 0
                    return .record(.unterminatedQuote(CSVPosition(record: number, line: fieldLine, column: column)))
                case .afterQuote:
                    CSVScanner.endField(fieldStart, write, p, recordStart, number, fieldLine, &bounds, &highBits, &error)
                }
                break
            }

            switch state {
            case .recordStart:
                let b = p[pos]
                if skipLF {
                    skipLF = false
                    if b == lf {
                        pos += 1
                        recordStart = pos
                        continue
                    }
                }
                if b == lf || b == cr {
                    // A blank line: skipped, but it is a line.
                    line += 1
                    skipLF = b == cr
                    pos += 1
                    recordStart = pos
                    continue
                }
                recordStart = pos
                recordLine = line
                state = .fieldStart
                fallthrough

            case .fieldStart:
                fieldLine = line
                if p[pos] == quote {
                    pos += 1
                    fieldStart = pos
                    write = pos
                    state = .quoted
                    continue
                }
                fieldStart = pos
                state = .unquoted
                fallthrough

            case .unquoted:
                var bits = highBits
                // Eight bytes at a time while they last: most fields end
                // within one word, without a branch per byte.
                while pos &+ 8 <= end {
                    let word = UInt64(littleEndian: UnsafeRawPointer(p + pos).loadUnaligned(as: UInt64.self))
                    let stops = stopMask.matches(word)
                    if stops != 0 {
                        let length = stops.trailingZeroBitCount &>> 3
                        // Bytes before the stop: keep their high bits.
                        let before = word & ((1 &<< (UInt64(length) &* 8)) &- 1)
                        if before & SWARMask.highBits != 0 { bits |= 0x80 }
                        pos &+= length
                        break
                    }
                    if word & SWARMask.highBits != 0 { bits |= 0x80 }
                    pos &+= 8
                }
                while pos < end {
                    let b = p[pos]
                    if classes[Int(b)] & 1 != 0 { break }
                    bits |= b
                    pos &+= 1
                }
                highBits = bits
                if pos >= end { continue }
                let b = p[pos]
                if b == separator {
                    CSVScanner.endField(fieldStart, pos, p, recordStart, number, fieldLine, &bounds, &highBits, &error)
                    pos += 1
                    state = .fieldStart
                    continue
                }
                if b == quote {
                    if error == nil {
                        error = .quoteInUnquotedField(CSVPosition(record: number, line: line,
                                                                  column: bounds.count + 1))
                    }
                    pos += 1
                    continue
                }
                // CR or LF ends the record.
                CSVScanner.endField(fieldStart, pos, p, recordStart, number, fieldLine, &bounds, &highBits, &error)
                pos += 1
                line += 1
                skipLF = b == cr

            case .quoted:
                let segment = pos
                var bits = highBits
                while pos < end {
                    let b = p[pos]
                    if classes[Int(b)] & 2 != 0 { break }
                    bits |= b
                    pos &+= 1
                }
                highBits = bits
                if write != segment {
                    // Unescaping in place: earlier doubled quotes shifted
                    // the content left.
                    memmove(p + write, p + segment, pos - segment)
                }
                write += pos - segment
                if pos >= end { continue }
                let b = p[pos]
                if b == quote {
                    pos += 1
                    state = .afterQuote
                    continue
                }
                // A line break inside the field is part of the value. CRLF is
                // one line end; `p[pos - 1]` is still the raw byte (the write
                // position never passes the read position).
                if b == cr || p[pos - 1] != cr {
                    line += 1
                }
                p[write] = b
                write += 1
                pos += 1
                continue

            case .afterQuote:
                let b = p[pos]
                if b == quote {
                    // A doubled quote stands for one quote.
                    p[write] = quote
                    write += 1
                    pos += 1
                    state = .quoted
                    continue
                }
                if b == separator {
                    CSVScanner.endField(fieldStart, write, p, recordStart, number, fieldLine, &bounds, &highBits, &error)
                    pos += 1
                    state = .fieldStart
                    continue
                }
                if b == lf || b == cr {
                    CSVScanner.endField(fieldStart, write, p, recordStart, number, fieldLine, &bounds, &highBits, &error)
                    pos += 1
                    line += 1
                    skipLF = b == cr
                    break
                }
                if error == nil {
                    error = .textAfterClosingQuote(CSVPosition(record: number, line: line,
                                                               column: bounds.count + 1))
                }
                // Keep the record boundaries right: read the rest of the field
                // as unquoted text. The record is rejected anyway.
                state = .unquoted
                continue
            }
            break
        }
        // The record is complete.
        position = pos
        physicalLine = line
        skipLineFeed = skipLF
        recordBase = recordStart
        record = number
        self.recordLine = recordLine
        return .record(error)
    }
}

/// Finds the first of four byte values in a 64-bit word (SWAR: SIMD within
/// a register), for scanning unquoted fields eight bytes at a time.
struct SWARMask {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highBits: UInt64 = 0x8080_8080_8080_8080
    private let a: UInt64, b: UInt64, c: UInt64, d: UInt64

    init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        self.a = UInt64(a) &* SWARMask.ones
        self.b = UInt64(b) &* SWARMask.ones
        self.c = UInt64(c) &* SWARMask.ones
        self.d = UInt64(d) &* SWARMask.ones
    }

    /// A word whose lowest set bit is the high bit of the first byte (in
    /// memory order, little-endian) equal to one of the four values; 0 when
    /// none is. Bits above the first match may be spurious.
    @inline(__always)
    func matches(_ word: UInt64) -> UInt64 {
        SWARMask.zeroBytes(word ^ a) | SWARMask.zeroBytes(word ^ b)
            | SWARMask.zeroBytes(word ^ c) | SWARMask.zeroBytes(word ^ d)
    }

    @inline(__always)
    private static func zeroBytes(_ x: UInt64) -> UInt64 {
        (x &- ones) & ~x & highBits
    }
}

/// Start and end offsets of the current record's fields, in one growable
/// buffer. A plain struct over a pointer so that the scan loop can keep it
/// in a local; `CSVReader` owns and frees the memory.
struct FieldBounds {
    private(set) var bounds: UnsafeMutablePointer<Int>
    private var capacity: Int
    var count = 0

    init() {
        capacity = 32
        bounds = UnsafeMutablePointer<Int>.allocate(capacity: 2 * capacity)
    }

    @inline(__always)
    mutating func append(_ start: Int, _ end: Int) {
        if count == capacity {
            grow()
        }
        bounds[2 &* count] = start
        bounds[2 &* count &+ 1] = end
        count &+= 1
    }

    private mutating func grow() {
        let newBounds = UnsafeMutablePointer<Int>.allocate(capacity: 4 * capacity)
        newBounds.update(from: bounds, count: 2 * count)
        bounds.deallocate()
        bounds = newBounds
        capacity *= 2
    }

    func deallocate() {
        bounds.deallocate()
    }
}
