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

/// What is wrong with a CSV record, where the scanner found it. Positions
/// are the scanner's own line numbers (they start at the line it was given),
/// and `column` is the field's number in the record.
enum CSVProblem: Equatable, Sendable {
    /// A quoted field never closes; the quote opened at `line`.
    case unterminatedQuote(line: Int, column: Int)
    /// A quoted field spans more lines than a quoted field may (or its
    /// record grew past the longest record): almost always a stray quote.
    case quotedFieldTooLong(line: Int, column: Int)
    /// A record longer than the longest record, with no quote to blame.
    case recordTooLong(line: Int)
    case quoteInUnquotedField(line: Int, column: Int)
    case textAfterClosingQuote(line: Int, column: Int)
    case invalidUTF8(line: Int, column: Int)
    /// A different number of fields than the header has.
    case ragged(expected: Int, got: Int)

    /// The line the problem is on, when it names one.
    var line: Int? {
        switch self {
        case .unterminatedQuote(let l, _), .quotedFieldTooLong(let l, _), .recordTooLong(let l),
             .quoteInUnquotedField(let l, _), .textAfterClosingQuote(let l, _), .invalidUTF8(let l, _):
            return l
        case .ragged:
            return nil
        }
    }

    var column: Int? {
        switch self {
        case .unterminatedQuote(_, let c), .quotedFieldTooLong(_, let c), .quoteInUnquotedField(_, let c),
             .textAfterClosingQuote(_, let c), .invalidUTF8(_, let c):
            return c
        case .recordTooLong, .ragged:
            return nil
        }
    }

    /// Whether the record's fields cannot be trusted to be its columns
    /// (its original text is kept instead).
    var garblesFields: Bool {
        switch self {
        case .ragged: return false
        case .unterminatedQuote, .quotedFieldTooLong, .recordTooLong, .quoteInUnquotedField,
             .textAfterClosingQuote, .invalidUTF8:
            return true
        }
    }
}

/// The CSV state machine, its input and the current record, owned by one
/// reader. Methods on a struct reach its fields without run-time
/// exclusivity checks, which matters per byte.
///
/// Bounds, so that one stray quote can neither swallow the rest of a file
/// nor make the reader buffer it: a quoted field may span at most
/// `maxQuotedLines` lines, and a record may be at most `maxRecordBytes`
/// long. Past either, the record is rejected from its start through the
/// line where the quote opened (or its first line, when no quote is to
/// blame), and reading resumes on the next line. A record that did hold
/// line breaks inside quotes but turns out ragged or badly quoted is
/// rejected the same way, by its first line only: its other lines are read
/// again as records, so a client on them is never lost.
struct CSVScanner: ~Copyable {
    /// The most lines a quoted field may span.
    static let defaultMaxQuotedLines = 10
    /// The longest record, in bytes (8 MiB).
    static let defaultMaxRecordBytes = 8 << 20

    private static let quote = UInt8(ascii: "\"")
    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")
    /// Field bounds with this bit set point into `arena`, not the window.
    static let arenaTag = 1 << 62

    enum Scan {
        /// A record's fields are ready (`problem` may say what is wrong with it).
        case record
        /// Lines were rejected without fields (`problem` says why,
        /// `rejectedText` holds their original text).
        case rejected
        /// The end of the input, or of the range (`stopAt`).
        case end
        /// The input could not be read: nothing more will be.
        case failed(DataIOFailure)
    }

    private(set) var source: ByteSource
    let separator: UInt8
    let maxQuotedLines: Int
    let maxRecordBytes: Int
    /// Per byte value: bit 0 = stops an unquoted field, bit 1 = stops the
    /// scan inside a quoted field.
    private let classes: UnsafeMutablePointer<UInt8>
    /// Field `i` is `base[recordBase + bounds[2i] ..< recordBase + bounds[2i+1]]`
    /// (or in `arena`, when tagged).
    private(set) var fields = FieldBounds()
    /// Unescaped copies of quoted fields with doubled quotes (the window
    /// keeps the original bytes, for rejected rows).
    private var arena = ByteArena()
    private var recordBase = 0
    /// Where the current record's line ends (its terminator), for its text.
    private var recordEnd = 0
    /// The header's field count once the header is read (0 before): rows
    /// with another count are `ragged`.
    var expectedFieldCount = 0
    /// Records read (rejected ones too).
    private(set) var record = 0
    /// The line and spreadsheet row where reading resumes. A row ends at
    /// every line break outside quotes (blank lines are rows); a line at
    /// every line break.
    private(set) var line: Int
    private(set) var row: Int
    /// The current record's first line and row.
    private(set) var recordLine = 0
    private(set) var recordRow = 0
    /// What is wrong with the current record, if anything.
    private(set) var problem: CSVProblem?
    /// For `.rejected`: the rejected lines as they are in the input.
    private(set) var rejectedText: [UInt8] = []
    /// Where scanning resumes.
    private var position: Int
    /// The last record ended with CR: an LF right after it belongs to it.
    private var skipLineFeed = false
    private var finished = false
    /// Reading stops at the first record start at or after this input
    /// position (a worker's range ends there).
    var stopAt = Int.max

    init(source: consuming ByteSource, separator: UInt8, start: Int, line: Int = 1, row: Int = 1,
         maxQuotedLines: Int = CSVScanner.defaultMaxQuotedLines,
         maxRecordBytes: Int = CSVScanner.defaultMaxRecordBytes) {
        self.source = source
        self.separator = separator
        position = start
        self.line = line
        self.row = row
        self.maxQuotedLines = max(1, maxQuotedLines)
        self.maxRecordBytes = max(16, maxRecordBytes)
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
        arena.deallocate()
    }

    /// The input position where reading resumes (after `.end` from a
    /// range: where the range's last record ended).
    var inputPosition: Int { source.offset + position }

    /// Reads the next record, or rejected lines.
    mutating func next() -> Scan {
        problem = nil
        if finished {
            fields.count = 0
            return .end
        }
        let scan = scanRecord()
        switch scan {
        case .end:
            fields.count = 0
        case .failed:
            finished = true
            fields.count = 0
        case .rejected:
            fields.count = 0
        case .record:
            if problem == nil, fields.count != expectedFieldCount, expectedFieldCount > 0 {
                problem = .ragged(expected: expectedFieldCount, got: fields.count)
            }
            if let p = problem, crossedLines {
                if case .invalidUTF8 = p { break }
                // Line breaks inside quotes, and the record is wrong: a stray
                // quote is the likely cause. Reject the first line only and
                // read the others again.
                return rejectFirstLine()
            }
        }
        return scan
    }

    /// Whether the current record had a line break inside quotes, and the
    /// column of the first quoted field that had one.
    private var crossedLines = false
    private(set) var crossedColumn = 0

    /// Field `index` of the current record; empty when there is no such
    /// field. Valid until the next `next()`.
    @inline(__always)
    func fieldBytes(_ index: Int) -> UnsafeRawBufferPointer {
        guard index >= 0, index < fields.count else {
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
        let start = fields.bounds[2 &* index]
        let end = fields.bounds[2 &* index &+ 1]
        if start & CSVScanner.arenaTag != 0 {
            let s = start & ~CSVScanner.arenaTag
            return UnsafeRawBufferPointer(start: arena.base + s, count: end &- s)
        }
        return UnsafeRawBufferPointer(start: source.base + (recordBase &+ start), count: end &- start)
    }

    func strings() -> [String] {
        (0..<fields.count).map { String(decoding: fieldBytes($0), as: UTF8.self) }
    }

    /// The current record's fields as a plain value, for the decoder.
    /// Valid until the next `next()`.
    var view: CSVRecordView {
        CSVRecordView(base: UnsafePointer(source.base + recordBase), arena: UnsafePointer(arena.base),
                      bounds: UnsafePointer(fields.bounds), count: fields.count)
    }

    /// The input position where the current record starts.
    var recordOffset: Int { source.offset + recordBase }

    /// Consumes an LF left over from a CR line end, so that `inputPosition`
    /// is where the next record (or blank line) starts.
    mutating func settle() -> DataIOFailure? {
        guard skipLineFeed else { return nil }
        skipLineFeed = false
        do {
            let shift = try source.fill(keepingFrom: position, atLeast: 1)
            position -= shift
        } catch {
            return error
        }
        if position < source.count, source.base[position] == CSVScanner.lf { position += 1 }
        return nil
    }

    /// The current record's text as it is in the input (without its last
    /// line end). Valid until the next `next()`.
    func recordText() -> [UInt8] {
        guard recordEnd > recordBase else { return [] }
        return Array(UnsafeBufferPointer(start: source.base + recordBase, count: recordEnd - recordBase))
    }

    /// Records the field `p[from..<to]`, checking its UTF-8 if it had
    /// non-ASCII bytes. (A static function with `inout` arguments rather
    /// than a closure over the scan's locals: captured variables are boxed
    /// and checked for exclusivity at run time.)
    @inline(__always)
    private static func endField(_ from: Int, _ to: Int, _ p: UnsafeMutablePointer<UInt8>, _ recordStart: Int,
                                 _ fieldLine: Int, _ bounds: inout FieldBounds,
                                 _ highBits: inout UInt8, _ problem: inout CSVProblem?) {
        if highBits & 0x80 != 0 {
            if problem == nil, DataUTF8.firstInvalidByte(p + from, count: to - from) != nil {
                problem = .invalidUTF8(line: fieldLine, column: bounds.count + 1)
            }
            highBits = 0
        }
        bounds.append(from - recordStart, to - recordStart)
    }

    /// Records a quoted field whose unescaped text is `arena[from..<arena.count]`.
    @inline(__always)
    private static func endArenaField(_ from: Int, _ arena: inout ByteArena, _ fieldLine: Int,
                                      _ bounds: inout FieldBounds, _ highBits: inout UInt8,
                                      _ problem: inout CSVProblem?) {
        if highBits & 0x80 != 0 {
            if problem == nil, DataUTF8.firstInvalidByte(arena.base + from, count: arena.count - from) != nil {
                problem = .invalidUTF8(line: fieldLine, column: bounds.count + 1)
            }
            highBits = 0
        }
        bounds.append(from | CSVScanner.arenaTag, arena.count)
    }

    private enum State {
        case recordStart, fieldStart, unquoted, quoted, afterQuote
    }

    /// Why a record is cut short.
    private enum Cut {
        /// Past the quoted-field or record bounds.
        case tooLong
        /// The input ended inside a quoted field.
        case unterminated
    }

    /// Reads one record into `fields`. The hot loop: everything it touches
    /// per byte lives in locals.
    ///
    /// Inside a record, `end` is kept at most `maxRecordBytes + 1` bytes
    /// past its start, so that the bound is met at the same byte whatever
    /// the window holds (the same input read in other ranges or windows
    /// gives the same records).
    private mutating func scanRecord() -> Scan {
        let classes = self.classes
        let separator = self.separator
        let quote = CSVScanner.quote
        let cr = CSVScanner.cr
        let lf = CSVScanner.lf
        let stopMask = SWARMask(separator, quote, cr, lf)
        let maxQuotedLines = self.maxQuotedLines
        let limit = maxRecordBytes + 1

        var p = source.base
        var end = source.count
        var pos = position
        var stopLocal = stopAt == Int.max ? Int.max : stopAt - source.offset
        var recordStart = pos
        var line = self.line
        var row = self.row
        var skipLF = skipLineFeed
        var recordLine = line
        var recordRow = row
        var fieldLine = line
        var state = State.recordStart
        var fieldStart = pos
        // Quoted fields: the unescaped copy (when a quote was doubled) and
        // the raw segment not yet copied.
        var escaped = false
        var arenaStart = 0
        var segment = pos
        var quotedBreaks = 0
        var highBits: UInt8 = 0
        var problem: CSVProblem?
        var crossed = false
        var crossedColumn = 0
        var bounds = fields
        bounds.count = 0
        arena.count = 0
        defer { fields = bounds }

        while true {
            if pos >= end {
                if state != .recordStart, pos - recordStart >= limit {
                    self.line = line
                    self.row = row
                    return cutRecord(.tooLong, state: state, recordStart: recordStart, recordLine: recordLine,
                                     recordRow: row, quoteAt: fieldStart - 1, quoteLine: fieldLine,
                                     column: bounds.count + 1)
                }
                if pos < source.count {
                    // Only the record bound's end was reached: not the window's.
                    end = min(source.count, recordStart &+ limit)
                    continue
                }
                if !source.isAtEnd {
                    // Keep the record (or, between records, nothing before `pos`).
                    let keep = state == .recordStart ? pos : recordStart
                    let shift: Int
                    do {
                        shift = try source.refill(keepingFrom: keep)
                    } catch {
                        record += 1
                        return .failed(error)
                    }
                    p = source.base
                    pos -= shift
                    recordStart -= shift
                    fieldStart -= shift
                    segment -= shift
                    if stopLocal != Int.max { stopLocal -= shift }
                    end = state == .recordStart ? source.count : min(source.count, recordStart &+ limit)
                    continue
                }
                switch state {
                case .recordStart:
                    position = pos
                    self.line = line
                    self.row = row
                    skipLineFeed = false
                    return .end
                case .fieldStart:
                    CSVScanner.endField(pos, pos, p, recordStart, fieldLine, &bounds, &highBits, &problem)
                case .unquoted:
                    CSVScanner.endField(fieldStart, pos, p, recordStart, fieldLine, &bounds, &highBits, &problem)
                case .quoted:
                    self.line = line
                    self.row = row
                    return cutRecord(.unterminated, state: state, recordStart: recordStart, recordLine: recordLine,
                                     recordRow: row, quoteAt: fieldStart - 1, quoteLine: fieldLine,
                                     column: bounds.count + 1)
                case .afterQuote:
                    if escaped {
                        arena.append(p + segment, count: pos - 1 - segment)
                        CSVScanner.endArenaField(arenaStart, &arena, fieldLine, &bounds, &highBits, &problem)
                    } else {
                        CSVScanner.endField(fieldStart, pos - 1, p, recordStart, fieldLine, &bounds, &highBits, &problem)
                    }
                }
                recordEnd = pos
                break
            }

            switch state {
            case .recordStart:
                let b = p[pos]
                if skipLF {
                    skipLF = false
                    if b == lf {
                        pos += 1
                        continue
                    }
                }
                if pos >= stopLocal {
                    // A record starts here, and the range ends here.
                    position = pos
                    self.line = line
                    self.row = row
                    skipLineFeed = false
                    return .end
                }
                if b == lf || b == cr {
                    // A blank line: skipped, but it is a line and a row.
                    line += 1
                    row += 1
                    skipLF = b == cr
                    pos += 1
                    continue
                }
                if b == 0xEF {
                    // A byte-order mark at the start of a record (two files
                    // joined) is skipped, as at the start of the file.
                    if pos + 3 > end, !source.isAtEnd {
                        let shift: Int
                        do {
                            shift = try source.fill(keepingFrom: pos, atLeast: 3)
                        } catch {
                            record += 1
                            return .failed(error)
                        }
                        p = source.base
                        end = source.count
                        pos -= shift
                        if stopLocal != Int.max { stopLocal -= shift }
                    }
                    if pos + 3 <= end, p[pos + 1] == 0xBB, p[pos + 2] == 0xBF {
                        pos += 3
                        continue
                    }
                }
                recordStart = pos
                recordLine = line
                recordRow = row
                if let fast = CSVScanner.plainRecord(p, pos, source.count, limit, separator, &bounds) {
                    // No quotes, no bare CR, all in the window: read without
                    // the state machine.
                    recordEnd = fast.lineEnd
                    pos = fast.next
                    line += 1
                    row += 1
                    skipLF = false
                    break
                }
                bounds.count = 0
                end = min(end, recordStart &+ limit)
                state = .fieldStart
                fallthrough

            case .fieldStart:
                fieldLine = line
                if p[pos] == quote {
                    pos += 1
                    fieldStart = pos
                    segment = pos
                    escaped = false
                    quotedBreaks = 0
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
                    CSVScanner.endField(fieldStart, pos, p, recordStart, fieldLine, &bounds, &highBits, &problem)
                    pos += 1
                    state = .fieldStart
                    continue
                }
                if b == quote {
                    if problem == nil {
                        problem = .quoteInUnquotedField(line: line, column: bounds.count + 1)
                    }
                    pos += 1
                    continue
                }
                // CR or LF ends the record.
                CSVScanner.endField(fieldStart, pos, p, recordStart, fieldLine, &bounds, &highBits, &problem)
                recordEnd = pos
                pos += 1
                line += 1
                row += 1
                skipLF = b == cr

            case .quoted:
                var bits = highBits
                while pos < end {
                    let b = p[pos]
                    if classes[Int(b)] & 2 != 0 { break }
                    bits |= b
                    pos &+= 1
                }
                highBits = bits
                if pos >= end { continue }
                let b = p[pos]
                if b == quote {
                    pos += 1
                    state = .afterQuote
                    continue
                }
                // A line break inside the field is part of the value. CRLF is
                // one line end (`p[pos - 1]` is inside the record: the opening
                // quote at least).
                if b == cr || p[pos - 1] != cr {
                    line += 1
                    quotedBreaks += 1
                    if !crossed {
                        crossed = true
                        crossedColumn = bounds.count + 1
                    }
                    if quotedBreaks >= maxQuotedLines {
                        self.line = line
                        self.row = row
                        return cutRecord(.tooLong, state: state, recordStart: recordStart, recordLine: recordLine,
                                         recordRow: row, quoteAt: fieldStart - 1, quoteLine: fieldLine,
                                         column: bounds.count + 1)
                    }
                }
                pos += 1
                continue

            case .afterQuote:
                let b = p[pos]
                if b == quote {
                    // A doubled quote stands for one quote: copy what came
                    // before it (with one quote) to the arena.
                    if !escaped {
                        escaped = true
                        arenaStart = arena.count
                    }
                    arena.append(p + segment, count: pos - segment)
                    pos += 1
                    segment = pos
                    state = .quoted
                    continue
                }
                if b == separator || b == lf || b == cr {
                    if escaped {
                        arena.append(p + segment, count: pos - 1 - segment)
                        CSVScanner.endArenaField(arenaStart, &arena, fieldLine, &bounds, &highBits, &problem)
                    } else {
                        CSVScanner.endField(fieldStart, pos - 1, p, recordStart, fieldLine, &bounds, &highBits, &problem)
                    }
                    if b == separator {
                        pos += 1
                        state = .fieldStart
                        continue
                    }
                    recordEnd = pos
                    pos += 1
                    line += 1
                    row += 1
                    skipLF = b == cr
                    break
                }
                if problem == nil {
                    problem = .textAfterClosingQuote(line: line, column: bounds.count + 1)
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
        self.line = line
        self.row = row
        skipLineFeed = skipLF
        recordBase = recordStart
        record += 1
        self.recordLine = recordLine
        self.recordRow = recordRow
        self.problem = problem
        crossedLines = crossed
        self.crossedColumn = crossedColumn
        return .record
    }

    /// Reads the record at `p[start...]` when it is plain: no quote, no CR
    /// but in a CRLF line end, valid UTF-8, all before `end` and within
    /// `limit` bytes. Finds its field ends eight bytes at a time, exactly
    /// (every byte below 0x23 or equal to the separator is looked at; the
    /// quote, CR and LF are among them). Returns where its line end is and
    /// where the next record starts, or nil to leave the record to the
    /// state machine.
    @inline(__always)
    private static func plainRecord(_ p: UnsafeMutablePointer<UInt8>, _ start: Int, _ end: Int, _ limit: Int,
                                    _ separator: UInt8, _ bounds: inout FieldBounds) -> (lineEnd: Int, next: Int)? {
        let separators = UInt64(separator) &* SWARMask.ones
        let stop = min(end, start &+ limit)
        var q = start
        var fieldStart = start
        var high: UInt64 = 0
        bounds.count = 0
        while q &+ 8 <= stop {
            let word = UInt64(littleEndian: UnsafeRawPointer(p + q).loadUnaligned(as: UInt64.self))
            high |= word
            var m = SWARMask.below(word, 0x23) | SWARMask.zeroBytesExact(word ^ separators)
            while m != 0 {
                let i = q &+ (m.trailingZeroBitCount &>> 3)
                let b = p[i]
                if b == separator {
                    bounds.append(fieldStart &- start, i &- start)
                    fieldStart = i &+ 1
                } else if b == lf || b == cr {
                    var next = i &+ 1
                    if b == cr {
                        guard next < end, p[next] == lf else { return nil }
                        next &+= 1
                    }
                    if high & SWARMask.highBits != 0, DataUTF8.firstInvalidByte(p + start, count: i &- start) != nil {
                        return nil
                    }
                    bounds.append(fieldStart &- start, i &- start)
                    return (i, next)
                } else if b == quote {
                    return nil
                }
                // Otherwise a space or a control character: part of the field.
                m &= m &- 1
            }
            q &+= 8
        }
        return nil
    }

    /// Rejects a record cut short: from its start through the line where
    /// the quote opened at `quoteAt` (for `.unterminated`, or `.tooLong`
    /// inside quotes), or through its first line; reading resumes on the
    /// next line. Called with `self.line` and `self.row` where the scan got.
    private mutating func cutRecord(_ cut: Cut, state: State, recordStart: Int, recordLine: Int, recordRow: Int,
                                    quoteAt: Int, quoteLine: Int, column: Int) -> Scan {
        record += 1
        crossedLines = false
        self.recordLine = recordLine
        // Every line break since the record started was inside quotes: the
        // record is still on the row it started on.
        self.recordRow = recordRow
        let inQuotes = state == .quoted || state == .afterQuote
        let from: Int
        let resumeLine: Int
        switch cut {
        case .unterminated:
            problem = .unterminatedQuote(line: quoteLine, column: column)
            from = quoteAt
            resumeLine = quoteLine + 1
        case .tooLong:
            if inQuotes {
                problem = .quotedFieldTooLong(line: quoteLine, column: column)
                from = quoteAt
                resumeLine = quoteLine + 1
            } else {
                problem = .recordTooLong(line: recordLine)
                from = recordStart
                resumeLine = recordLine + 1
            }
        }
        return rejectThroughLine(from: max(from, recordStart), recordStart: recordStart, resumeLine: resumeLine,
                                 resumeRow: recordRow + 1)
    }

    /// A complete record that held line breaks in quotes but is wrong:
    /// only its first line is rejected.
    private mutating func rejectFirstLine() -> Scan {
        let resumeLine = recordLine + 1
        return rejectThroughLine(from: recordBase, recordStart: recordBase, resumeLine: resumeLine,
                                 resumeRow: recordRow + 1)
    }

    /// Keeps the original text of `recordStart` through the end of the line
    /// holding `from`, and resumes after that line (reading on past the
    /// window when the line is longer than it).
    private mutating func rejectThroughLine(from: Int, recordStart: Int, resumeLine: Int, resumeRow: Int) -> Scan {
        var i = from
        var found = false
        rejectedText.removeAll(keepingCapacity: true)
        while true {
            let p = source.base
            let end = source.count
            while i < end {
                let b = p[i]
                if b == CSVScanner.lf || b == CSVScanner.cr {
                    found = true
                    break
                }
                i += 1
            }
            if found || source.isAtEnd { break }
            // The line goes on past the window: keep its start as its text,
            // and read on without keeping anything.
            if rejectedText.isEmpty, recordStart < end {
                rejectedText.append(contentsOf: UnsafeBufferPointer(start: p + recordStart, count: end - recordStart))
            }
            do {
                let shift = try source.refill(keepingFrom: end)
                i -= shift
            } catch {
                finished = true
                return .failed(error)
            }
        }
        let p = source.base
        if rejectedText.isEmpty, i > recordStart {
            rejectedText.append(contentsOf: UnsafeBufferPointer(start: p + recordStart, count: i - recordStart))
        }
        var resume = i
        var skip = false
        if found {
            skip = p[i] == CSVScanner.cr
            resume = i + 1
        }
        position = resume
        line = resumeLine
        row = resumeRow
        skipLineFeed = skip
        fields.count = 0
        return .rejected
    }
}

/// A record's fields by column, as plain pointers (into the scanner's
/// window and arena), for `RowDecoder`.
struct CSVRecordView: FieldSource {
    let base: UnsafePointer<UInt8>
    let arena: UnsafePointer<UInt8>
    let bounds: UnsafePointer<Int>
    let count: Int

    @inline(__always)
    func field(slot: Int, column: Int) -> UnsafeRawBufferPointer? {
        guard column >= 0 else { return nil }
        guard column < count else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let start = bounds[2 &* column]
        let end = bounds[2 &* column &+ 1]
        if start & CSVScanner.arenaTag != 0 {
            let s = start & ~CSVScanner.arenaTag
            return UnsafeRawBufferPointer(start: arena + s, count: end &- s)
        }
        return UnsafeRawBufferPointer(start: base + start, count: end &- start)
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

    /// The high bit of every zero byte of `x`, exactly (no borrow from one
    /// byte to the next).
    @inline(__always)
    static func zeroBytesExact(_ x: UInt64) -> UInt64 {
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        return ~(((x & low) &+ low) | x | low)
    }

    /// The high bit of every byte of `x` below `n` (n ≤ 0x80), exactly.
    @inline(__always)
    static func below(_ x: UInt64, _ n: UInt8) -> UInt64 {
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let atLeast = (x & low) &+ UInt64(0x80 &- n) &* ones
        return ~(atLeast | x) & highBits
    }
}

/// Start and end offsets of the current record's fields, in one growable
/// buffer. A plain struct over a pointer so that the scan loop can keep it
/// in a local; its owner frees the memory.
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

/// A growable byte buffer over a pointer, for bytes copied out of the
/// window; its owner frees the memory.
struct ByteArena {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    var count = 0

    init(capacity: Int = 256) {
        self.capacity = max(16, capacity)
        base = UnsafeMutablePointer<UInt8>.allocate(capacity: self.capacity)
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafePointer<UInt8>, count n: Int) {
        guard n > 0 else { return }
        if count &+ n > capacity { grow(to: count + n) }
        (base + count).update(from: bytes, count: n)
        count &+= n
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        if count == capacity { grow(to: count + 1) }
        base[count] = byte
        count &+= 1
    }

    private mutating func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    func deallocate() {
        base.deallocate()
    }
}
