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

/// How a `CSVWriter` ends records.
public enum CSVLineEnding: Sendable, Equatable {
    /// "\r\n": RFC 4180 and what spreadsheets write.
    case crlf
    /// "\n": what Unix tools expect.
    case lf
}

/// Writes CSV that `CSVReader` and spreadsheets read back exactly.
///
/// Output goes through a 64 KiB buffer to a file descriptor, standard output
/// or memory. A field is quoted only when it has to be: it contains the
/// separator, a quote, CR or LF, or starts or ends with a space or tab
/// (spreadsheets and people trim those). Two further rules keep the round
/// trip exact whatever the data:
/// - in the first record (the header) and in every record of a one-column
///   file, fields with either `,` or `;` are quoted, so that the reader's
///   separator detection on the header cannot be fooled;
/// - a record of a single empty field is written `""`, because an empty
///   line is skipped when read.
///
/// The writer only writes text: formatting numbers (e.g. with a decimal
/// comma for the semicolon dialect) is the caller's job.
///
/// With `neutralizingFormulas` (every CSV meant for spreadsheets turns it
/// on: `run --format csv`, `run --summary --format csv`, `goals --format
/// csv`, `due --format csv`, `report --export`, the `--skip-invalid`
/// file), a field that a spreadsheet would take for a formula, one starting
/// with `=`, `+`, `-` or `@` that is not a plain number (`-5`, `-0,5` stay
/// as they are), is written with an apostrophe before it (`'=HYPERLINK(…)`),
/// which spreadsheets read as "this is text". Data that reaches a
/// spreadsheet from a client export cannot then run as a formula; the
/// price is that such a field does not read back exactly.
///
/// I/O errors are sticky: after one, every call throws it. Call `close()`
/// (or `flush()`) to see errors; `deinit` flushes what it can but cannot
/// report failure. Not thread-safe.
public final class CSVWriter {
    /// The separator written between fields.
    public let dialect: CSVDialect
    /// The record terminator.
    public let lineEnding: CSVLineEnding
    /// Whether fields a spreadsheet would run as formulas get an apostrophe before them.
    public var neutralizingFormulas = false

    private enum Sink {
        case memory
        case descriptor(Int32, closeWhenDone: Bool)
    }

    private let sink: Sink
    /// What to call the output in error messages.
    private let name: String
    private var isClosed = false
    private var output: [UInt8] = []
    private let buffer: UnsafeMutablePointer<UInt8>
    private let bufferCapacity = 1 << 16
    private var used = 0
    private var failure: CSVError?
    /// Fields written so far in the current record.
    private var fieldIndex = 0
    private var lastFieldWasEmpty = false
    private var headerWritten = false
    /// True while writing the header, and for the whole of a file whose
    /// header has a single field.
    private var quoteBothSeparators = true
    /// Per byte value: bit 0 = forces quotes (separator, quote, CR, LF),
    /// bit 1 = forces quotes while `quoteBothSeparators` (`,` and `;`).
    private let quoteTriggers: UnsafeMutablePointer<UInt8>

    /// Writes into memory; read the result from `bytes`. With `continuing`,
    /// the records continue a file whose header was written elsewhere (a
    /// piece of a larger output, rendered on its own), so the header's
    /// quoting rule does not apply to the first record.
    public init(dialect: CSVDialect = .comma, lineEnding: CSVLineEnding = .crlf, byteOrderMark: Bool = false,
                continuing: Bool = false) {
        self.dialect = dialect
        self.lineEnding = lineEnding
        sink = .memory
        name = "the output"
        buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: bufferCapacity)
        quoteTriggers = CSVWriter.makeQuoteTriggers(dialect)
        if continuing {
            headerWritten = true
            quoteBothSeparators = false
        }
        if byteOrderMark {
            writeByteOrderMark()
        }
    }

    /// Forgets what a memory writer holds, to render the next piece.
    public func clearMemory() {
        guard case .memory = sink else { return }
        output.removeAll(keepingCapacity: true)
        used = 0
    }

    /// Writes to an open file descriptor.
    public convenience init(fileDescriptor: Int32, closeWhenDone: Bool = false, dialect: CSVDialect = .comma,
                            lineEnding: CSVLineEnding = .crlf, byteOrderMark: Bool = false) {
        self.init(fileDescriptor: fileDescriptor, closeWhenDone: closeWhenDone, dialect: dialect,
                  lineEnding: lineEnding, byteOrderMark: byteOrderMark, name: "the output")
    }

    private init(fileDescriptor: Int32, closeWhenDone: Bool, dialect: CSVDialect, lineEnding: CSVLineEnding,
                 byteOrderMark: Bool, name: String) {
        self.dialect = dialect
        self.lineEnding = lineEnding
        self.name = name
        sink = .descriptor(fileDescriptor, closeWhenDone: closeWhenDone)
        buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: bufferCapacity)
        quoteTriggers = CSVWriter.makeQuoteTriggers(dialect)
        if byteOrderMark {
            writeByteOrderMark()
        }
    }

    private static func makeQuoteTriggers(_ dialect: CSVDialect) -> UnsafeMutablePointer<UInt8> {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        table.initialize(repeating: 0, count: 256)
        table[Int(UInt8(ascii: ","))] = 2
        table[Int(UInt8(ascii: ";"))] = 2
        for trigger in [dialect.separator, quote, UInt8(ascii: "\r"), UInt8(ascii: "\n")] {
            table[Int(trigger)] = 1
        }
        return table
    }

    /// Creates (or truncates) the file at `path`; "-" means standard output.
    /// `byteOrderMark` helps Excel recognise UTF-8 when the file is opened
    /// by double-clicking.
    public convenience init(path: String, dialect: CSVDialect = .comma, lineEnding: CSVLineEnding = .crlf,
                            byteOrderMark: Bool = false) throws(CSVError) {
        if path == "-" {
            self.init(fileDescriptor: 1, closeWhenDone: false, dialect: dialect, lineEnding: lineEnding,
                      byteOrderMark: byteOrderMark, name: "standard output")
            return
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 {
            throw CSVError.io(DataIOFailure.fromErrno("cannot create '\(path)'").message)
        }
        self.init(fileDescriptor: fd, closeWhenDone: true, dialect: dialect, lineEnding: lineEnding,
                  byteOrderMark: byteOrderMark, name: "'\(path)'")
    }

    deinit {
        // Best effort: errors can only be reported by an explicit close().
        try? close()
        buffer.deallocate()
        quoteTriggers.deallocate()
    }

    /// Everything written so far, for a writer created with `init(dialect:)`.
    /// Empty for other sinks.
    public var bytes: [UInt8] {
        guard case .memory = sink else { return [] }
        return output + UnsafeBufferPointer(start: buffer, count: used)
    }

    // MARK: Writing

    /// Writes one record.
    public func writeRecord<Fields: Sequence>(_ fields: Fields) throws(CSVError) where Fields.Element: StringProtocol {
        for field in fields {
            appendField(field)
        }
        try endRecord()
    }

    /// Writes the next field of the current record; finish the record with
    /// `endRecord()`. For writing rows without building an array.
    public func writeField<Text: StringProtocol>(_ field: Text) throws(CSVError) {
        appendField(field)
        if let failure { throw failure }
    }

    /// Writes the next field from raw bytes, which should be UTF-8 (e.g. a
    /// field straight from `CSVReader.withField`).
    public func writeField(bytes: UnsafeRawBufferPointer) throws(CSVError) {
        appendField(bytes)
        if let failure { throw failure }
    }

    /// Ends the current record.
    public func endRecord() throws(CSVError) {
        if isClosed && failure == nil {
            failure = .io("the CSV writer is closed")
        }
        if let failure { throw failure }
        if fieldIndex == 1 && lastFieldWasEmpty {
            append(CSVWriter.quote)
            append(CSVWriter.quote)
        }
        switch lineEnding {
        case .crlf:
            append(UInt8(ascii: "\r"))
            append(UInt8(ascii: "\n"))
        case .lf:
            append(UInt8(ascii: "\n"))
        }
        if !headerWritten && fieldIndex > 0 {
            // An empty record reads back as a skipped blank line, so the
            // header is the first record with fields.
            headerWritten = true
            quoteBothSeparators = fieldIndex == 1
        }
        fieldIndex = 0
        lastFieldWasEmpty = false
        if let failure { throw failure }
    }

    /// Hands buffered bytes to the sink.
    public func flush() throws(CSVError) {
        if let failure { throw failure }
        drain()
        if let failure { throw failure }
    }

    /// Flushes and closes the sink (a descriptor the writer opened or was
    /// told to close). Writing afterwards throws.
    public func close() throws(CSVError) {
        if !isClosed {
            isClosed = true
            drain()
            if case .descriptor(let fd, closeWhenDone: true) = sink, closeFileDescriptor(fd) != 0, failure == nil {
                failure = .io(DataIOFailure.fromErrno("cannot close \(name)").message)
            }
        }
        if let failure { throw failure }
    }

    // MARK: Internals

    private static let quote = UInt8(ascii: "\"")
    private static let space = UInt8(ascii: " ")
    private static let tab = UInt8(ascii: "\t")

    private func appendField<Text: StringProtocol>(_ field: Text) {
        let done: Void? = field.utf8.withContiguousStorageIfAvailable { utf8 in
            appendField(UnsafeRawBufferPointer(utf8))
        }
        if done == nil {
            let copy = Array(field.utf8)
            copy.withUnsafeBytes { appendField($0) }
        }
    }

    private func appendField(_ field: UnsafeRawBufferPointer) {
        if neutralizingFormulas, CSVWriter.looksLikeFormula(field) {
            var guarded = [UInt8(ascii: "'")]
            guarded.append(contentsOf: field)
            neutralizingFormulas = false
            defer { neutralizingFormulas = true }
            guarded.withUnsafeBytes { appendField($0) }
            return
        }
        if failure != nil { return }
        if isClosed {
            failure = .io("the CSV writer is closed")
            return
        }
        if fieldIndex > 0 {
            append(dialect.separator)
        }
        fieldIndex += 1
        lastFieldWasEmpty = field.isEmpty
        if needsQuotes(field) {
            append(CSVWriter.quote)
            var segmentStart = 0
            for i in 0..<field.count where field[i] == CSVWriter.quote {
                // Up to and including the quote, then the quote again.
                append(UnsafeRawBufferPointer(rebasing: field[segmentStart...i]))
                append(CSVWriter.quote)
                segmentStart = i + 1
            }
            append(UnsafeRawBufferPointer(rebasing: field[segmentStart...]))
            append(CSVWriter.quote)
        } else {
            append(field)
        }
    }

    /// Whether a spreadsheet would take the field for a formula: it starts
    /// with `=`, `+`, `-` or `@` and is not a plain number (an optional
    /// sign, digits, and a decimal point or comma with digits).
    static func looksLikeFormula(_ field: UnsafeRawBufferPointer) -> Bool {
        guard let first = field.first else { return false }
        switch first {
        case UInt8(ascii: "="), UInt8(ascii: "@"): return true
        case UInt8(ascii: "+"), UInt8(ascii: "-"): break
        default: return false
        }
        var i = 1, digits = 0
        while i < field.count, field[i] &- UInt8(ascii: "0") <= 9 { i += 1; digits += 1 }
        guard digits > 0 else { return true }
        if i < field.count, field[i] == UInt8(ascii: ".") || field[i] == UInt8(ascii: ",") {
            i += 1
            let start = i
            while i < field.count, field[i] &- UInt8(ascii: "0") <= 9 { i += 1 }
            if i == start { return true }
        }
        return i != field.count
    }

    private func writeByteOrderMark() {
        append(0xEF)
        append(0xBB)
        append(0xBF)
    }

    private func needsQuotes(_ field: UnsafeRawBufferPointer) -> Bool {
        guard let first = field.first, let last = field.last else { return false }
        if first == CSVWriter.space || first == CSVWriter.tab || last == CSVWriter.space || last == CSVWriter.tab {
            return true
        }
        // A leading U+FEFF would be taken for a byte-order mark.
        if field.count >= 3, first == 0xEF, field[1] == 0xBB, field[2] == 0xBF {
            return true
        }
        // No branch per byte: fields are short and usually need no quotes.
        let triggers = quoteTriggers
        var seen: UInt8 = 0
        for b in field {
            seen |= triggers[Int(b)]
        }
        return seen & (quoteBothSeparators ? 3 : 1) != 0
    }

    @inline(__always)
    private func append(_ byte: UInt8) {
        if used == bufferCapacity {
            drain()
        }
        buffer[used] = byte
        used += 1
    }

    @inline(__always)
    private func append(_ bytes: UnsafeRawBufferPointer) {
        guard var source = bytes.baseAddress else { return }
        var remaining = bytes.count
        if remaining <= bufferCapacity - used {
            UnsafeMutableRawPointer(buffer + used).copyMemory(from: source, byteCount: remaining)
            used += remaining
            return
        }
        while remaining > 0 {
            if used == bufferCapacity {
                drain()
            }
            let n = min(remaining, bufferCapacity - used)
            UnsafeMutableRawPointer(buffer + used).copyMemory(from: source, byteCount: n)
            used += n
            source += n
            remaining -= n
        }
    }

    /// Empties the buffer into the sink; records the first failure.
    private func drain() {
        defer { used = 0 }
        if used == 0 { return }
        switch sink {
        case .memory:
            output.append(contentsOf: UnsafeBufferPointer(start: buffer, count: used))
        case .descriptor(let fd, _):
            if failure != nil { return }
            var offset = 0
            while offset < used {
                let n = write(fd, buffer + offset, used - offset)
                if n > 0 {
                    offset += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    failure = .io(DataIOFailure.fromErrno("cannot write \(name)").message)
                    return
                }
            }
        }
    }
}

/// `close(2)`, out of reach of `CSVWriter.close()`'s name.
private func closeFileDescriptor(_ fd: Int32) -> Int32 {
    close(fd)
}
