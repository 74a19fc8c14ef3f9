import Foundation
import Linja

/// `linja run`: clients read, decided and written in one pass, in input
/// order, in bounded memory, on as many threads as asked.
///
/// The file is cut into byte ranges of `chunkBytes` (chunk k nominally
/// starts at `a_k`). Each range is read, decided and rendered by a worker
/// (`Chunk`), and the results are written in order: by the calling thread
/// with one thread, else by whichever worker finds the next chunk to write
/// done (one at a time), so that no third thread competes for the cores.
/// Reading itself runs in parallel:
///
/// - A range's first record is found without reading what comes before it:
///   chunk k starts speculatively just after the first LF at or after
///   `a_k - 1`, and reads records until one starts at or after the next
///   chunk's speculative start. Where the previous chunk's last record
///   really ended is known when that chunk is read; in the rare case that
///   it differs (a quoted field with a line break spans the cut) the chunk
///   is read again from there. Only cuts right after an LF are used, never
///   between CR and LF. Standard input and pipes are spooled in memory as
///   the workers ask for them, and cut the same way.
/// - Line and row numbers are counted from each range's start and moved to
///   the file's when the chunk is written, after the ranges before it.
/// - Repeated ids are found through an `IDTable` shared without a global
///   lock. A worker inserts its rows' ids (at once when every earlier chunk
///   has inserted, else after deciding, when they most often have), which
///   tells which rows repeat an earlier id; when an earlier chunk had still
///   not inserted, it waits until every one has and asks again. Repeating
///   rows are withdrawn (their output and counts taken out) and rejected.
///
/// Workers come from a fixed pool of threads that take chunks in
/// increasing order, so a worker only ever waits for a lower chunk that is
/// running or done. With one thread everything happens on the calling
/// thread, each chunk starting where the last one ended. The output, the
/// rejected rows and the messages are the same for any thread count.
public final class RunPipeline: @unchecked Sendable {
    public typealias Format = DecisionRenderer.Format

    public struct Options: Sendable {
        public var format: Format = .table
        public var explain = false
        public var only: String?
        public var summary = false
        /// Finnish spreadsheet CSV: semicolons, decimal commas, d.m.yyyy dates.
        public var finnishCSV = false
        /// Bad rows printed before the rest are only counted.
        public var maxErrors = 20
        /// Worker threads (1: everything on the calling thread).
        public var threads = 1
        /// Bytes of the file per chunk (tests use tiny ones).
        public var chunkBytes = 1 << 20
        public init() {}
    }

    public struct Counts: Sendable {
        public var read = 0
        public var decided = 0
        public var rejected = 0
        public var failed = 0
    }

    public let policy: Policy
    public let asOf: Day
    public let options: Options
    let program: Program
    let renderer: DecisionRenderer
    public private(set) var counts = Counts()
    /// With `only`: whether a client with that id was read.
    public private(set) var foundOnly = false
    public private(set) var summary: Summary
    let record: RecordType
    /// Clients written so far (for the separators between them).
    var written = 0

    public init(policy: Policy, asOf: Day, paramOverrides: [Int: Value] = [:], options: Options) {
        self.policy = policy
        self.asOf = asOf
        self.options = options
        self.program = Compiler.compile(policy, asOf: asOf, paramOverrides: paramOverrides)
        self.renderer = DecisionRenderer(policy: policy, asOf: asOf, format: options.format, explain: options.explain,
                                         finnishCSV: options.finnishCSV,
                                         explainer: Explainer(policy: policy, asOf: asOf, paramOverrides: paramOverrides))
        self.summary = Summary(policy: policy, asOf: asOf)
        self.record = policy.record ?? RecordType(name: "client", label: nil, fields: [], span: .none)
    }

    /// Runs over every client the reader gives. Bad rows go to `reject` (with
    /// their fields as read), warnings found while reading (JSON Lines keys
    /// that name no field) to `warn`, output bytes to `out`, in input order.
    /// With several threads the closures are called on the workers, one
    /// call at a time, and not after `run` returns.
    public func run(_ reader: ClientReader, out: @escaping ([UInt8]) -> Void,
                    reject: @escaping (DataIssue, [String]) -> Void,
                    warn: @escaping (DataIssue) -> Void = { _ in }) {
        if !options.summary { out(Array(renderer.header().utf8)) }
        let plan = Plan(reader: reader, chunkBytes: max(1, options.chunkBytes), threads: max(1, options.threads))
        let board = Board(threads: max(1, options.threads))
        let table: IDTable? = reader.decoder.fingerprintSlot != nil ? IDTable() : nil
        let make: () -> ChunkDecider = { [self] in
            ChunkDecider(policy: policy, program: program, renderer: renderer.copy(), summaryKeys: summary,
                         only: options.only, withSummary: options.summary)
        }
        var writer = Writer(lineBase: reader.dataLine, rowBase: reader.dataRow)
        if board.threads == 1 {
            // Each chunk starts where the last ended: nothing is speculative.
            let decider = make()
            var start = reader.dataStart
            var k = 0
            while true {
                let c = Chunk(index: k, width: record.fields.count, bytes: options.chunkBytes)
                c.lineBase = writer.lineBase
                c.rowBase = writer.rowBase
                read(c, from: start, stop: plan.speculativeStart(of: k + 1), reader: reader)
                finish(c, decider: decider, table: table, reader: reader, board: nil, rowBases: writer.rowBases)
                write(c, writer: &writer, reader: reader, out: out, reject: reject, warn: warn)
                if c.end.failure != nil || c.end.end >= plan.endOfInput(after: c.end.end) { break }
                start = c.end.end
                k += 1
            }
        } else {
            runInParallel(reader, plan: plan, board: board, table: table, make: make, writer: &writer,
                          out: out, reject: reject, warn: warn)
        }
        if !options.summary {
            out(Array(renderer.footer(read: counts.read, decided: counts.decided, rejected: counts.rejected + counts.failed).utf8))
        }
    }

    // MARK: Ranges

    /// Where chunks start: chunk 0 right after the header; chunk k ≥ 1
    /// nominally at `dataStart + k * chunkBytes`, really just after the
    /// first LF at or after the byte before that.
    ///
    /// With several threads and a file of known size, the last stretch of
    /// about `threads` chunks is cut in quarters: workers then run out of
    /// work at most a quarter chunk apart, not a whole one (at a million
    /// clients a chunk takes about 4 ms, and the run about 270 ms).
    struct Plan {
        let reader: ClientReader
        let chunkBytes: Int
        /// Chunks of `chunkBytes` before the quartered stretch (`Int.max`: no such stretch).
        let fullChunks: Int
        let tailBytes: Int

        init(reader: ClientReader, chunkBytes: Int, threads: Int = 1) {
            self.reader = reader
            self.chunkBytes = chunkBytes
            if threads > 1, chunkBytes >= 4, let size = reader.input.size {
                fullChunks = max(0, size - reader.dataStart - threads * chunkBytes) / chunkBytes
                tailBytes = chunkBytes / 4
            } else {
                fullChunks = Int.max
                tailBytes = chunkBytes
            }
        }

        func nominalStart(of k: Int) -> Int {
            if k <= fullChunks { return reader.dataStart + k * chunkBytes }
            return reader.dataStart + fullChunks * chunkBytes + (k - fullChunks) * tailBytes
        }

        /// Whether chunk `k` has any bytes to start in (it may still be empty).
        func exists(_ k: Int) -> Bool {
            if k == 0 { return true }
            let a = nominalStart(of: k)
            if let size = reader.input.size { return a < size }
            return reader.input.hasByte(at: a)
        }

        /// Where chunk `k` starts if no quoted field spans its cut.
        func speculativeStart(of k: Int) -> Int {
            if k == 0 { return reader.dataStart }
            return reader.input.lineStart(atOrAfter: nominalStart(of: k))
        }

        /// The input's end, if reading got there (`position` is one past
        /// the last byte read); `Int.max` otherwise.
        func endOfInput(after position: Int) -> Int {
            if let size = reader.input.size { return size }
            return reader.input.hasByte(at: position) ? Int.max : position
        }
    }

    /// Reads chunk `c`'s range.
    func read(_ c: Chunk, from start: Int, stop: Int, reader: ClientReader) {
        c.start = start
        c.rows.removeAll()
        c.rejects.removeAll()
        c.end = reader.readRange(start: start, stop: stop, into: &c.rows, rejects: &c.rejects,
                                 chunkBytes: min(options.chunkBytes, 1 << 20))
    }

    /// Inserts a read chunk's ids, decides and renders it, and withdraws
    /// its rows whose id an earlier row had. With a board, waits there until
    /// every earlier chunk has inserted its ids.
    func finish(_ c: Chunk, decider: ChunkDecider, table: IDTable?, reader: ClientReader, board: Board?,
                rowBases: [Int]) {
        var repeats: [(index: Int, chunk: Int, row: Int)]?
        var inserted = false
        // Inserts the chunk's ids; with every earlier chunk's ids in the
        // table already (always, with one thread), that finds the repeats.
        func insert(into table: IDTable) {
            let earlierDone = board?.insertsDone(before: c.index) ?? true
            repeats = table.insert(chunk: c.index, fingerprints: c.rows.fingerprints, rows: c.rows.rows,
                                   earlierDone: earlierDone)
            board?.inserted(c.index)
            inserted = true
        }
        if let table {
            if c.index == 0, let size = reader.input.size, c.end.end > c.start {
                // The first chunk's rows per byte tell about how many rows
                // the file has: the table is sized for them now, not grown
                // as they come.
                let estimate = Double(c.rows.count) * Double(size - reader.dataStart) / Double(c.end.end - c.start)
                table.reserve(ids: Int(min(estimate, Double(IDTable.reservedAtMost))))
            }
            if board?.insertsDone(before: c.index) ?? true { insert(into: table) }
        }
        decider.process(c, reader: reader)
        guard let table else { return }
        // The chunk before was still being read or inserted when this one
        // was read; by now it has most often inserted, and one walk over the
        // table finds the repeats. If not, this chunk inserts anyway (a
        // later chunk may be waiting for it) and asks again below, once
        // every earlier chunk has.
        if !inserted { insert(into: table) }
        if repeats == nil {
            board?.waitForInserts(before: c.index)
            repeats = table.firsts(chunk: c.index, fingerprints: c.rows.fingerprints, rows: c.rows.rows)
        }
        for r in repeats ?? [] {
            c.withdraw(r.index)
            c.failures.removeAll { $0.client == r.index }
            let original = reader.originalRecord(at: c.rows.offsets[r.index])
            c.repeats.append(Chunk.Repeat(client: r.index, firstChunk: r.chunk, firstRow: r.row,
                                          fields: original.fields, idColumn: original.idColumn))
        }
    }

    // MARK: Writing

    /// What the writer knows: where the next chunk starts in the file's
    /// numbering, and where every chunk written so far started.
    struct Writer {
        var lineBase: Int
        var rowBase: Int
        var rowBases: [Int] = []
        /// Warnings given so far (JSON Lines keys).
        var warned: Set<String> = []
    }

    /// Writes a chunk in order: its rejected rows (and warnings) by row,
    /// its output, its counts.
    func write(_ c: Chunk, writer: inout Writer, reader: ClientReader, out: ([UInt8]) -> Void,
               reject: (DataIssue, [String]) -> Void, warn: (DataIssue) -> Void) {
        let rowBase = writer.rowBase, lineBase = writer.lineBase
        writer.rowBases.append(rowBase)
        let rows = c.rows
        // Everything to report, by row: warnings first on a row.
        var reports: [(row: Int, order: Int, issue: DataIssue, fields: [String]?)] = []
        for (key, row, column) in c.unknownKeys {
            if let w = reader.warnUnknownKey(key, row: rowBase + row, column: column) {
                reports.append((w.row, 0, w, nil))
            }
        }
        for r in c.rejects {
            let issue = r.issue.shifted(rows: rowBase, lines: lineBase)
            reports.append((issue.row, 1, issue, r.fields))
        }
        let idField = reader.idSlot.map { record.fields[$0].name }
        for r in c.repeats {
            let i = r.client
            let firstRowBase = r.firstChunk < writer.rowBases.count ? writer.rowBases[r.firstChunk] : rowBase
            let id = reader.idSlot.map { rows.text(Int(rows.slots[i * rows.width + $0])) } ?? ""
            let issue = DataIssue(path: reader.path, row: rowBase + rows.rows[i], column: r.idColumn, field: idField,
                                  message: "duplicate id '\(id)'", line: lineBase + rows.lines[i],
                                  earlierRow: firstRowBase + r.firstRow)
            reports.append((issue.row, 1, issue, r.fields))
        }
        for f in c.failures {
            let issue = DataIssue(path: reader.path, row: rowBase + rows.rows[f.client], message: "cannot be decided: \(f.error)",
                                  line: lineBase + rows.lines[f.client])
            reports.append((issue.row, 1, issue, f.fields))
        }
        reports.sort { ($0.row, $0.order) < ($1.row, $1.order) }
        for r in reports {
            if let fields = r.fields {
                reject(r.issue, fields)
            } else {
                warn(r.issue)
            }
        }
        counts.read += rows.count + c.rejects.count
        counts.rejected += c.rejects.count + c.repeats.count
        counts.failed += c.failures.count
        let decided = c.results.reduce(0) { $0 + ($1 == .decided ? 1 : 0) }
        counts.decided += decided
        if options.only != nil, decided > 0 || !c.failures.isEmpty { foundOnly = true }
        if !options.summary {
            var bytes: [UInt8] = []
            if decided == rows.count, renderer.separator(beforeClient: written).isEmpty {
                // Every client is written and nothing separates them: the chunk's output as it is.
                bytes = c.output
                written += decided
            } else {
                for i in 0..<rows.count where c.results[i] == .decided {
                    bytes.append(contentsOf: renderer.separator(beforeClient: written))
                    bytes.append(contentsOf: c.output(of: i))
                    written += 1
                }
            }
            if !bytes.isEmpty { out(bytes) }
        }
        summary.addCounts(c.counts, clientsBy: c.clientsBy, clients: c.clientsBy.reduce(0, +))
        summary.addFirings(c.fired, c.firedVariants)
        writer.rowBase += c.end.rows
        writer.lineBase += c.end.lines
    }

    // MARK: Several threads

    /// What the workers share, behind one lock.
    final class Board: @unchecked Sendable {
        let threads: Int
        let monitor = Monitor()
        /// The next chunk a worker may take.
        var next = 0
        /// The number of chunks, once known.
        var chunkCount: Int?
        /// Where each chunk's last record ended (known after it was read
        /// from its right start).
        var ends: [Int: Int] = [:]
        /// How many chunks, from the first, have inserted their ids.
        var insertedPrefix = 0
        var insertedAhead: Set<Int> = []
        /// Chunks ready to be written.
        var done: [Int: Chunk] = [:]
        /// The next chunk to write.
        var nextToWrite = 0
        /// Whether a worker is writing chunks now: one at a time, in order.
        var writing = false
        /// Chunks in flight at most (bounded memory).
        let window: Int
        /// Workers asleep in `sleep()`. A change wakes them only when there
        /// are any: a wake-up that finds nothing to do still costs a context
        /// switch, on a core another worker was using.
        private var sleepers = 0

        init(threads: Int) {
            self.threads = threads
            window = 2 * threads + 2
        }

        /// Waits for a change; call with the lock held, and check again after.
        func sleep() {
            sleepers += 1
            monitor.wait()
            sleepers -= 1
        }

        /// Tells sleeping workers of a change; call with the lock held.
        func wake() {
            if sleepers > 0 { monitor.broadcast() }
        }

        func inserted(_ k: Int) {
            monitor.withLock {
                insertedAhead.insert(k)
                while insertedAhead.remove(insertedPrefix) != nil { insertedPrefix += 1 }
                wake()
            }
        }

        /// Whether every chunk before `k` has inserted its ids.
        func insertsDone(before k: Int) -> Bool {
            monitor.withLock { insertedPrefix >= k }
        }

        func waitForInserts(before k: Int) {
            monitor.lock()
            while insertedPrefix < k && (chunkCount.map { $0 > insertedPrefix } ?? true) { sleep() }
            monitor.unlock()
        }

        /// The next chunk to write, if it is done and nobody is writing:
        /// the caller then writes it (and has the turn until it gives it
        /// back with `wrote()`). Call with the lock held.
        func takeTurnToWrite() -> Chunk? {
            guard !writing, let c = done.removeValue(forKey: nextToWrite) else { return nil }
            writing = true
            return c
        }

        /// The chunk being written is written: the next one, if done, to
        /// write in the same turn.
        func wrote() -> Chunk? {
            monitor.withLock {
                nextToWrite += 1
                writing = false
                wake()
                return takeTurnToWrite()
            }
        }
    }

    /// What the writing worker of the moment updates.
    final class WriterState: @unchecked Sendable {
        var writer: Writer
        init(_ writer: Writer) { self.writer = writer }
    }

    /// The output, rejects and warnings, called by one worker at a time.
    struct Sinks: @unchecked Sendable {
        let out: ([UInt8]) -> Void
        let reject: (DataIssue, [String]) -> Void
        let warn: (DataIssue) -> Void
    }

    /// Runs the workers and returns when every chunk is written. Whichever
    /// worker finds the next chunk to write done writes it, so no thread
    /// besides the workers needs a core.
    private func runInParallel(_ reader: ClientReader, plan: Plan, board: Board, table: IDTable?,
                               make: () -> ChunkDecider, writer: inout Writer,
                               out: @escaping ([UInt8]) -> Void, reject: @escaping (DataIssue, [String]) -> Void,
                               warn: @escaping (DataIssue) -> Void) {
        let state = WriterState(writer)
        let sinks = Sinks(out: out, reject: reject, warn: warn)
        let running = Running(board.threads)
        // Every decider is made here, before any worker starts: making one
        // reads `summary`, which the writing worker of the moment changes.
        let deciders = (0..<board.threads).map { _ in make() }
        for decider in deciders {
            let thread = Thread { [self] in
                work(reader, plan: plan, board: board, table: table, decider: decider, state: state, sinks: sinks)
                running.finished()
            }
            thread.stackSize = 1 << 22
            thread.start()
        }
        running.wait()
        writer = state.writer
    }

    /// Worker threads still running.
    final class Running: @unchecked Sendable {
        let monitor = Monitor()
        var count: Int
        init(_ count: Int) { self.count = count }
        func finished() {
            monitor.withLock {
                count -= 1
                monitor.broadcast()
            }
        }
        func wait() {
            monitor.lock()
            while count > 0 { monitor.wait() }
            monitor.unlock()
        }
    }

    /// A worker: takes chunks in increasing order until there are none, and
    /// writes the chunks that are next in order when it is its turn.
    private func work(_ reader: ClientReader, plan: Plan, board: Board, table: IDTable?, decider: ChunkDecider,
                      state: WriterState, sinks: Sinks) {
        while true {
            board.monitor.lock()
            while board.chunkCount.map({ board.next < $0 }) ?? true, board.next >= board.nextToWrite + board.window {
                board.sleep()
            }
            let k = board.next
            if let n = board.chunkCount, k >= n {
                board.monitor.unlock()
                return
            }
            board.next += 1
            board.monitor.unlock()
            guard plan.exists(k) else {
                board.monitor.withLock {
                    board.chunkCount = min(board.chunkCount ?? k, k)
                    board.wake()
                }
                return
            }
            let c = Chunk(index: k, width: record.fields.count, bytes: options.chunkBytes)
            let start = plan.speculativeStart(of: k)
            let stop = plan.speculativeStart(of: k + 1)
            read(c, from: start, stop: stop, reader: reader)
            if k > 0 {
                // Where the chunk before really ended (unless reading ended before it).
                board.monitor.lock()
                while board.ends[k - 1] == nil, board.chunkCount.map({ k < $0 }) ?? true { board.sleep() }
                let previous = board.ends[k - 1]
                board.monitor.unlock()
                guard let previous else { continue }
                if previous != start {
                    read(c, from: previous, stop: stop, reader: reader)
                }
            }
            board.monitor.withLock {
                board.ends[k] = c.end.end
                if c.end.failure != nil || c.end.end >= plan.endOfInput(after: c.end.end) {
                    // Nothing after this chunk: later ones would be empty.
                    board.chunkCount = min(board.chunkCount ?? (k + 1), k + 1)
                }
                board.wake()
            }
            finish(c, decider: decider, table: table, reader: reader, board: board, rowBases: [])
            var next = board.monitor.withLock {
                if board.chunkCount.map({ k < $0 }) ?? true { board.done[k] = c }
                return board.takeTurnToWrite()
            }
            while let c = next {
                write(c, writer: &state.writer, reader: reader, out: sinks.out, reject: sinks.reject, warn: sinks.warn)
                // Nobody reads before the next chunk's nominal start again.
                reader.input.release(below: plan.nominalStart(of: c.index + 1) - 1)
                next = board.wrote()
            }
        }
    }
}
