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

/// Which kind of container a nested JSON value was.
public enum JSONContainerKind: String, Sendable, Equatable, Hashable {
    case object
    case array
}

/// A value in a JSON Lines record. Data rows are flat, so containers are
/// validated but not kept: the caller reports them as "expected a scalar".
public enum JSONScalar: Equatable, Sendable, Hashable {
    case string(String)
    /// The number exactly as written (e.g. "1.50", "1e400"): converting
    /// through `Double` would change decimals and large identifiers.
    case number(String)
    case bool(Bool)
    case null
    /// An object or array value.
    case nested(JSONContainerKind)
}

/// A problem with a JSON Lines input. Line errors leave the reader ready
/// for the next line; `io` ends the input.
public enum JSONLinesError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The line is valid JSON but not an object (an array, string, ...).
    case notAnObject(line: Int, column: Int)
    /// The line is not valid JSON. `column` counts characters (Unicode
    /// scalars) from 1, like an editor does.
    case malformed(line: Int, column: Int, reason: String)
    /// A key appears twice in the same object; `column` is the second one.
    case duplicateKey(String, line: Int, column: Int)
    /// The line is longer than the longest line read; it is skipped.
    case lineTooLong(line: Int, maxBytes: Int)
    /// The input could not be opened or read.
    case io(String)

    public var description: String {
        switch self {
        case .notAnObject(let line, let column):
            return "expected a JSON object (line \(line), column \(column))"
        case .malformed(let line, let column, let reason):
            return "\(reason) (line \(line), column \(column))"
        case .duplicateKey(let key, let line, let column):
            return "duplicate key \"\(key)\" (line \(line), column \(column))"
        case .lineTooLong(let line, let maxBytes):
            return "line \(line) is longer than \(CSVError.size(maxBytes)), the longest line read; it is skipped"
        case .io(let message):
            return message
        }
    }
}

/// The lines of a JSON Lines input (or of a range of it): LF ends a line,
/// a byte-order mark at the start of a line is skipped (at the start of the
/// file, or where two files were joined), and a line may be at most
/// `maxLineBytes` long: a longer one is reported and skipped without being
/// kept in memory.
struct JSONLineScanner: ~Copyable {
    enum Scan {
        /// The line `line` is `source.base[start..<end]` (without its LF),
        /// valid until the next call.
        case line(start: Int, end: Int)
        /// The line `line` was too long and is skipped.
        case tooLong
        /// The end of the input, or of the range (`stopAt`).
        case end
        case failed(DataIOFailure)
    }

    private(set) var source: ByteSource
    let maxLineBytes: Int
    private var position: Int
    /// The number of the last line returned (lines before the first are
    /// `line` at the start).
    private(set) var line: Int
    /// Reading stops at the first line starting at or after this input
    /// position.
    var stopAt = Int.max
    /// Whether a byte-order mark was skipped at the very start.
    private(set) var hadBOM = false

    init(source: consuming ByteSource, start: Int = 0, line: Int = 0,
         maxLineBytes: Int = CSVScanner.defaultMaxRecordBytes) {
        self.source = source
        position = start
        self.line = line
        self.maxLineBytes = max(16, maxLineBytes)
    }

    /// The input position where reading resumes.
    var inputPosition: Int { source.offset + position }

    mutating func next() -> Scan {
        var scanFrom = position
        var bomChecked = false
        while true {
            let count = source.count
            if position >= count {
                if source.isAtEnd { return .end }
                do {
                    let shift = try source.refill(keepingFrom: position)
                    position -= shift
                    scanFrom = position
                } catch {
                    return .failed(error)
                }
                continue
            }
            if !bomChecked {
                if source.offset + position >= stopAt { return .end }
                if source.base[position] == 0xEF {
                    if count - position < 3, !source.isAtEnd {
                        do {
                            let shift = try source.fill(keepingFrom: position, atLeast: 3)
                            position -= shift
                            scanFrom = position
                        } catch {
                            return .failed(error)
                        }
                        continue
                    }
                    if count - position >= 3, source.base[position + 1] == 0xBB, source.base[position + 2] == 0xBF {
                        if source.offset + position == 0 { hadBOM = true }
                        position += 3
                        scanFrom = position
                    }
                }
                bomChecked = true
                if position >= source.count { continue }
            }
            let limit = min(count, position + maxLineBytes + 1)
            if scanFrom < limit,
               let found = memchr(source.base + scanFrom, Int32(UInt8(ascii: "\n")), limit - scanFrom) {
                let newline = UnsafeMutableRawPointer(source.base).distance(to: found)
                let start = position
                position = newline + 1
                line += 1
                return .line(start: start, end: newline)
            }
            scanFrom = limit
            if limit - position > maxLineBytes {
                line += 1
                return skipLongLine()
            }
            if source.isAtEnd {
                let start = position
                position = count
                line += 1
                return .line(start: start, end: count)
            }
            do {
                let shift = try source.refill(keepingFrom: position)
                position -= shift
                scanFrom -= shift
            } catch {
                return .failed(error)
            }
        }
    }

    /// Reads on to the end of a line too long to keep, keeping nothing.
    private mutating func skipLongLine() -> Scan {
        var i = position
        while true {
            let count = source.count
            if i < count, let found = memchr(source.base + i, Int32(UInt8(ascii: "\n")), count - i) {
                position = UnsafeMutableRawPointer(source.base).distance(to: found) + 1
                return .tooLong
            }
            if source.isAtEnd {
                position = count
                return .tooLong
            }
            do {
                let shift = try source.refill(keepingFrom: count)
                i = count - shift
                position = i
            } catch {
                return .failed(error)
            }
        }
    }
}

/// A streaming JSON Lines reader: one JSON object per line (lines end with
/// LF or CRLF), blank lines skipped, input read in chunks. A UTF-8
/// byte-order mark at the start of a line is skipped.
///
/// The JSON parser is strict (RFC 8259) and hand-written: numbers keep their
/// exact text, strings are fully unescaped (surrogate pairs included) and
/// must be valid UTF-8, duplicate keys are errors. Each bad line is reported
/// with its line and column, and reading goes on with the next line.
///
/// Not thread-safe; use one reader per task.
public final class JSONLinesReader {
    /// The 1-based line of the object (or error) last returned.
    public private(set) var line = 0
    /// Whether the input started with a UTF-8 byte-order mark (skipped).
    public var hadBOM: Bool { scanner.pointee.hadBOM }

    private let scanner: UnsafeMutablePointer<JSONLineScanner>
    private var scratch: [UInt8] = []
    /// Set at the end of the input and after an I/O error.
    private var finished = false

    /// Reads the file at `path` ("-" for standard input).
    public convenience init(path: String, chunkSize: Int = 1 << 20) throws(JSONLinesError) {
        let source: ByteSource
        do {
            source = try ByteSource(path: path, chunkSize: chunkSize)
        } catch {
            throw JSONLinesError.io(error.message)
        }
        self.init(source: source)
    }

    /// Reads from an open file descriptor, e.g. a pipe.
    public convenience init(fileDescriptor: Int32, closeWhenDone: Bool = false, chunkSize: Int = 1 << 20) {
        self.init(source: ByteSource(fileDescriptor: fileDescriptor, closeWhenDone: closeWhenDone,
                                         chunkSize: chunkSize))
    }

    /// Reads from memory (tests, small inputs); `chunkSize` still applies.
    public convenience init(bytes: [UInt8], chunkSize: Int = 1 << 20) {
        self.init(source: ByteSource(bytes: bytes, chunkSize: chunkSize))
    }

    init(source: consuming ByteSource) {
        scanner = .allocate(capacity: 1)
        scanner.initialize(to: JSONLineScanner(source: source))
    }

    deinit {
        scanner.deinitialize(count: 1)
        scanner.deallocate()
    }

    /// The next object's members in file order, or nil at the end of the
    /// input. Throws a line's error after consuming that line, so the caller
    /// can log it and call `next()` again. After an `io` error there is
    /// nothing more to read and `next()` returns nil.
    public func next() throws(JSONLinesError) -> [(key: String, value: JSONScalar)]? {
        if finished {
            return nil
        }
        while true {
            switch scanner.pointee.next() {
            case .end:
                finished = true
                return nil
            case .failed(let failure):
                finished = true
                throw .io(failure.message)
            case .tooLong:
                line = scanner.pointee.line
                throw .lineTooLong(line: line, maxBytes: scanner.pointee.maxLineBytes)
            case .line(let start, let end):
                line = scanner.pointee.line
                if let members = try JSONLinesReader.parse(scanner.pointee.source.base, start, end, line: line,
                                                           scratch: &scratch) {
                    return members
                }
                // A blank line: read the next one.
            }
        }
    }

    /// Parses one line; nil for a blank line.
    static func parse(_ base: UnsafeMutablePointer<UInt8>, _ start: Int, _ end: Int, line: Int,
                      scratch: inout [UInt8]) throws(JSONLinesError) -> [(key: String, value: JSONScalar)]? {
        var parser = JSONLineParser(base: UnsafePointer(base), start: start, end: end, scratch: scratch)
        // Hand the buffer over so the parser's copy is unique (no
        // copy-on-write per line), and take it back afterwards.
        scratch = []
        defer { scratch = parser.scratch }
        do {
            return try parser.parseLine()
        } catch {
            let column = JSONLinesReader.column(of: error.offset, lineStart: start, base: base)
            switch error.kind {
            case .notAnObject:
                throw .notAnObject(line: line, column: column)
            case .duplicateKey(let key):
                throw .duplicateKey(key, line: line, column: column)
            case .malformed(let reason):
                throw .malformed(line: line, column: column, reason: reason)
            }
        }
    }

    /// 1-based column of byte `offset`, counting Unicode scalars (UTF-8
    /// continuation bytes do not start a character).
    static func column(of offset: Int, lineStart: Int, base: UnsafeMutablePointer<UInt8>) -> Int {
        var column = 1
        var i = lineStart
        while i < offset {
            if !DataUTF8.isContinuation(base[i]) { column += 1 }
            i += 1
        }
        return column
    }
}

/// Why a line failed, and at which byte.
struct JSONLineFailure: Error {
    enum Kind {
        case notAnObject
        case duplicateKey(String)
        case malformed(String)
    }

    var offset: Int
    var kind: Kind
}

/// A strict JSON parser over one line's bytes.
struct JSONLineParser {
    let p: UnsafePointer<UInt8>
    let end: Int
    var i: Int
    /// Reused buffer for strings with escapes.
    var scratch: [UInt8]

    /// Containers deeper than this are rejected rather than risking the
    /// stack on hostile input.
    static let maximumDepth = 512

    init(base: UnsafePointer<UInt8>, start: Int, end: Int, scratch: [UInt8]) {
        p = base
        i = start
        self.end = end
        self.scratch = scratch
    }

    private static let quote = UInt8(ascii: "\"")
    private static let backslash = UInt8(ascii: "\\")

    /// The object's members, or nil for a blank line.
    mutating func parseLine() throws(JSONLineFailure) -> [(key: String, value: JSONScalar)]? {
        skipWhitespace()
        guard i < end else { return nil }
        guard p[i] == UInt8(ascii: "{") else {
            // Tell "not an object" from "not JSON at all".
            let start = i
            _ = try parseValue(depth: 1)
            skipWhitespace()
            if i < end { throw fail("unexpected text after the JSON value") }
            throw JSONLineFailure(offset: start, kind: .notAnObject)
        }
        i += 1
        var members: [(key: String, value: JSONScalar)] = []
        members.reserveCapacity(16)
        var keys: Set<String>?
        skipWhitespace()
        if i < end && p[i] == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                skipWhitespace()
                guard i < end, p[i] == JSONLineParser.quote else {
                    throw fail(i < end ? "expected a string key" : "unexpected end of line: expected a string key")
                }
                let keyOffset = i
                let key = try parseString()
                if members.count < 16 {
                    if members.contains(where: { $0.key == key }) {
                        throw JSONLineFailure(offset: keyOffset, kind: .duplicateKey(key))
                    }
                } else {
                    if keys == nil { keys = Set(members.map(\.key)) }
                    if keys?.insert(key).inserted == false {
                        throw JSONLineFailure(offset: keyOffset, kind: .duplicateKey(key))
                    }
                }
                skipWhitespace()
                guard i < end, p[i] == UInt8(ascii: ":") else { throw fail("expected ':' after the key") }
                i += 1
                skipWhitespace()
                let value = try parseValue(depth: 1)
                members.append((key, value))
                skipWhitespace()
                guard i < end else { throw fail("unexpected end of line: expected ',' or '}'") }
                if p[i] == UInt8(ascii: ",") {
                    i += 1
                    continue
                }
                if p[i] == UInt8(ascii: "}") {
                    i += 1
                    break
                }
                throw fail("expected ',' or '}' after a value")
            }
        }
        skipWhitespace()
        if i < end { throw fail("unexpected text after the JSON object") }
        return members
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while i < end {
            switch p[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    private func fail(_ reason: String, at offset: Int? = nil) -> JSONLineFailure {
        JSONLineFailure(offset: offset ?? i, kind: .malformed(reason))
    }

    private mutating func parseValue(depth: Int) throws(JSONLineFailure) -> JSONScalar {
        guard i < end else { throw fail("unexpected end of line: expected a value") }
        switch p[i] {
        case JSONLineParser.quote:
            return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "{"):
            try skipContainer(close: UInt8(ascii: "}"), depth: depth)
            return .nested(.object)
        case UInt8(ascii: "["):
            try skipContainer(close: UInt8(ascii: "]"), depth: depth)
            return .nested(.array)
        default:
            throw fail("expected a value")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONLineFailure) {
        let n = literal.utf8CodeUnitCount
        let text = literal.utf8Start
        var k = 0
        while k < n {
            guard i + k < end, p[i + k] == text[k] else { throw fail("expected a value") }
            k += 1
        }
        i += n
    }

    /// Validates a nested object or array (`p[i]` is its opening bracket).
    private mutating func skipContainer(close: UInt8, depth: Int) throws(JSONLineFailure) {
        if depth >= JSONLineParser.maximumDepth {
            throw fail("nesting deeper than \(JSONLineParser.maximumDepth) levels")
        }
        let isObject = close == UInt8(ascii: "}")
        i += 1
        skipWhitespace()
        if i < end && p[i] == close {
            i += 1
            return
        }
        while true {
            skipWhitespace()
            if isObject {
                guard i < end, p[i] == JSONLineParser.quote else {
                    throw fail(i < end ? "expected a string key" : "unexpected end of line: expected a string key")
                }
                _ = try parseString()
                skipWhitespace()
                guard i < end, p[i] == UInt8(ascii: ":") else { throw fail("expected ':' after the key") }
                i += 1
                skipWhitespace()
            }
            _ = try parseValue(depth: depth + 1)
            skipWhitespace()
            let expected = isObject ? "',' or '}'" : "',' or ']'"
            guard i < end else { throw fail("unexpected end of line: expected \(expected)") }
            if p[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            if p[i] == close {
                i += 1
                return
            }
            throw fail("expected \(expected) after a value")
        }
    }

    /// A number by the JSON grammar, returned as written.
    private mutating func parseNumber() throws(JSONLineFailure) -> String {
        let start = i
        if p[i] == UInt8(ascii: "-") { i += 1 }
        guard i < end, isDigit(p[i]) else { throw fail("invalid number: expected a digit") }
        if p[i] == UInt8(ascii: "0") {
            i += 1
            if i < end && isDigit(p[i]) { throw fail("invalid number: leading zeros are not allowed") }
        } else {
            skipDigits()
        }
        if i < end && p[i] == UInt8(ascii: ".") {
            i += 1
            guard i < end, isDigit(p[i]) else { throw fail("invalid number: expected a digit after '.'") }
            skipDigits()
        }
        if i < end && (p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E")) {
            i += 1
            if i < end && (p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-")) { i += 1 }
            guard i < end, isDigit(p[i]) else { throw fail("invalid number: expected a digit in the exponent") }
            skipDigits()
        }
        return String(decoding: UnsafeBufferPointer(start: p + start, count: i - start), as: UTF8.self)
    }

    @inline(__always)
    private func isDigit(_ b: UInt8) -> Bool {
        b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")
    }

    @inline(__always)
    private mutating func skipDigits() {
        while i < end && isDigit(p[i]) { i += 1 }
    }

    /// A string (`p[i]` is its opening quote), unescaped.
    private mutating func parseString() throws(JSONLineFailure) -> String {
        let opening = i
        i += 1
        var segment = i
        var bits: UInt8 = 0
        // Fast path: no escapes.
        while i < end {
            let b = p[i]
            if b == JSONLineParser.quote || b == JSONLineParser.backslash || b < 0x20 { break }
            bits |= b
            i += 1
        }
        guard i < end else { throw fail("unterminated string", at: opening) }
        if p[i] == JSONLineParser.quote {
            if bits & 0x80 != 0 { try checkUTF8(from: segment, to: i) }
            let text = String(decoding: UnsafeBufferPointer(start: p + segment, count: i - segment), as: UTF8.self)
            i += 1
            return text
        }
        scratch.removeAll(keepingCapacity: true)
        while true {
            // Copy the raw run before `i`.
            try checkUTF8(from: segment, to: i)
            scratch.append(contentsOf: UnsafeBufferPointer(start: p + segment, count: i - segment))
            guard i < end else { throw fail("unterminated string", at: opening) }
            let b = p[i]
            if b == JSONLineParser.quote {
                i += 1
                return String(decoding: scratch, as: UTF8.self)
            }
            if b < 0x20 {
                throw fail("control character in a string (it must be written as an escape)")
            }
            // A backslash escape.
            guard i + 1 < end else { throw fail("unterminated string", at: opening) }
            let escape = p[i + 1]
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"):
                scratch.append(escape)
                i += 2
            case UInt8(ascii: "b"): scratch.append(0x08); i += 2
            case UInt8(ascii: "f"): scratch.append(0x0C); i += 2
            case UInt8(ascii: "n"): scratch.append(0x0A); i += 2
            case UInt8(ascii: "r"): scratch.append(0x0D); i += 2
            case UInt8(ascii: "t"): scratch.append(0x09); i += 2
            case UInt8(ascii: "u"):
                try parseUnicodeEscape()
            default:
                throw fail("invalid escape in a string")
            }
            segment = i
            while i < end {
                let c = p[i]
                if c == JSONLineParser.quote || c == JSONLineParser.backslash || c < 0x20 { break }
                i += 1
            }
        }
    }

    /// `\uXXXX` at `i`, with a following low surrogate when it is a high
    /// one; appends the scalar's UTF-8 to `scratch`.
    private mutating func parseUnicodeEscape() throws(JSONLineFailure) {
        let escapeStart = i
        let unit = try hexQuad(at: i + 2)
        i += 6
        var scalarValue = UInt32(unit)
        if (0xD800...0xDBFF).contains(unit) {
            guard i + 1 < end, p[i] == JSONLineParser.backslash, p[i + 1] == UInt8(ascii: "u") else {
                throw fail("unpaired surrogate in a \\u escape", at: escapeStart)
            }
            let low = try hexQuad(at: i + 2)
            guard (0xDC00...0xDFFF).contains(low) else {
                throw fail("unpaired surrogate in a \\u escape", at: escapeStart)
            }
            i += 6
            scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(unit) {
            throw fail("unpaired surrogate in a \\u escape", at: escapeStart)
        }
        guard let scalar = Unicode.Scalar(scalarValue) else {
            throw fail("invalid \\u escape", at: escapeStart)
        }
        appendUTF8(scalar.value)
    }

    private mutating func appendUTF8(_ v: UInt32) {
        switch v {
        case 0..<0x80:
            scratch.append(UInt8(v))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | v >> 6))
            scratch.append(UInt8(0x80 | v & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | v >> 12))
            scratch.append(UInt8(0x80 | v >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | v & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | v >> 18 & 0x07))
            scratch.append(UInt8(0x80 | v >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | v >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | v & 0x3F))
        }
    }

    private func hexQuad(at start: Int) throws(JSONLineFailure) -> UInt16 {
        var value: UInt16 = 0
        for k in 0..<4 {
            guard start + k < end else { throw fail("invalid \\u escape: expected four hex digits", at: start + k) }
            let b = p[start + k]
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default: throw fail("invalid \\u escape: expected four hex digits", at: start + k)
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    private func checkUTF8(from start: Int, to stop: Int) throws(JSONLineFailure) {
        if let bad = DataUTF8.firstInvalidByte(p + start, count: stop - start) {
            throw fail("invalid UTF-8", at: start + bad)
        }
    }
}
