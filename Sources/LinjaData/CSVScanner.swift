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
