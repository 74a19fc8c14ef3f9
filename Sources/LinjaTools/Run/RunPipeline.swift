import Foundation
import Linja

/// `linja run`: clients read, decided and written in one pass, in input
/// order, in bounded memory. This type schedules: it reads chunks on the
/// calling thread, has them decided and rendered (`ChunkDecider`) on worker
/// threads, and writes them in order, settling what only reading order can
/// tell (a repeated id, when fields are decoded on the workers) and counting
/// (`Summary`).
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
        /// Clients per chunk.
        public var chunkSize = 4096
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
    /// their raw fields); output bytes to `out`, in input order.
    public func run(_ reader: ClientReader, out: ([UInt8]) -> Void, reject: (DataIssue, [String]) -> Void) {
        let threads = max(1, options.threads)
        if !options.summary { out(Array(renderer.header().utf8)) }
        let pool = DeciderPool { [self] in
            ChunkDecider(policy: policy, program: program, renderer: renderer.copy(), summaryKeys: summary,
                         only: options.only, withSummary: options.summary)
        }
        let pending = PendingChunks()
        let group = DispatchGroup()
        let slots = DispatchSemaphore(value: threads + 1)
        var nextToWrite = 0
        var index = 0
        // With several threads, CSV fields are decoded on the workers too; the
        // reader only scans records, and repeated ids are settled in reading
        // order when a chunk is written.
        let decodeOnWorkers = threads > 1 && reader.format == .csv

        func emit(_ c: Chunk) {
            settle(c, reader, reject)
            let decided = c.results.reduce(0) { $0 + ($1 == .decided ? 1 : 0) }
            counts.decided += decided
            if options.only != nil, decided > 0 { foundOnly = true }
            var bytes: [UInt8] = []
            if !options.summary {
                if decided == c.rows.count, renderer.separator(beforeClient: written).isEmpty {
                    // Every client is written and nothing separates them: the chunk's output as it is.
                    bytes = c.output
                    written += decided
                } else {
                    for i in 0..<c.rows.count where c.results[i] == .decided {
                        bytes.append(contentsOf: renderer.separator(beforeClient: written))
                        bytes.append(contentsOf: c.output(of: i))
                        written += 1
                    }
                }
            }
            if options.only != nil, c.results.contains(.failed) { foundOnly = true }
            summary.addCounts(c.counts, clientsBy: c.clientsBy, clients: c.clientsBy.reduce(0, +))
            summary.addFirings(c.fired, c.firedVariants)
            if !bytes.isEmpty { out(bytes) }
            if threads > 1 { slots.signal() }
        }
        func drain(wait: Bool) {
            while true {
                if let c = pending.take(nextToWrite) {
                    emit(c)
                    nextToWrite += 1
                    continue
                }
                if wait, nextToWrite < index { usleep(100); continue }
                return
            }
        }
        /// Decides a chunk: here with one thread, on a worker otherwise.
        func schedule(_ c: Chunk) {
            let myIndex = index
            index += 1
            let decoder = decodeOnWorkers ? reader.decoder : nil
            let work: @Sendable () -> Void = {
                let d = pool.take()
                if let decoder { d.decode(c, decoder) }
                d.process(c)
                pool.giveBack(d)
            }
            if threads == 1 {
                work()
                emit(c)
                nextToWrite += 1
                return
            }
            // A slot frees when a chunk is written, and only this thread writes.
            while slots.wait(timeout: .now() + .milliseconds(1)) == .timedOut { drain(wait: false) }
            group.enter()
            DispatchQueue.global().async {
                work()
                pending.put(myIndex, c)
                group.leave()
            }
            drain(wait: false)
        }

        var done = false
        while !done {
            let chunk = Chunk(width: record.fields.count, capacity: options.chunkSize)
            if decodeOnWorkers {
                var raw = RawRows(fieldCount: reader.header.count)
                scan: while raw.count < options.chunkSize {
                    switch reader.nextRaw(into: &raw) {
                    case .end:
                        done = true
                        break scan
                    case .rejected(let issue):
                        chunk.rejects.append((issue, reader.rawFields))
                    case .client:
                        continue
                    }
                }
                if raw.count == 0 && chunk.rejects.isEmpty { continue }
                chunk.raw = raw
            } else {
                while chunk.rows.count < options.chunkSize {
                    switch reader.next(into: &chunk.batch) {
                    case .end: done = true
                    case .rejected(let issue):
                        chunk.rejects.append((issue, reader.rawFields))
                        continue
                    case .client:
                        chunk.rows.append(reader.row)
                        continue
                    }
                    break
                }
                if chunk.rows.isEmpty && chunk.rejects.isEmpty { continue }
            }
            schedule(chunk)
        }
        group.wait()
        drain(wait: true)
        if !options.summary {
            out(Array(renderer.footer(read: counts.read, decided: counts.decided, rejected: counts.rejected + counts.failed).utf8))
        }
    }

    /// Finishes a chunk in reading order (on the writing thread): with
    /// fields decoded on a worker, a row whose id an earlier row had is
    /// rejected and its part withdrawn; then the chunk's rejected rows and
    /// the clients that could not be decided are reported in row order.
    func settle(_ c: Chunk, _ reader: ClientReader, _ reject: (DataIssue, [String]) -> Void) {
        var repeated = 0
        if let raw = c.raw {
            for i in 0..<c.rows.count {
                if let issue = reader.repeatedID(c.fingerprints[i], id: Self.id(of: c, i, record: record), row: c.rows[i]) {
                    c.withdraw(i)
                    c.results[i] = .skipped
                    c.failures.removeAll { $0.client == i }
                    c.rejects.append((issue, raw.strings(c.rawIndex[i])))
                    repeated += 1
                }
            }
        }
        counts.read += c.rows.count - repeated + c.rejects.count
        counts.rejected += c.rejects.count
        counts.failed += c.failures.count
        var all = c.rejects
        for f in c.failures {
            all.append((DataIssue(path: reader.path, row: c.rows[f.client], message: "cannot be decided: \(f.error)"),
                        reader.rawFields(of: c.batch.values(f.client, record: record), policy: policy)))
        }
        all.sort { $0.issue.row < $1.issue.row }
        for r in all { reject(r.issue, r.fields) }
    }

    /// Row `i`'s id as read.
    static func id(of c: Chunk, _ i: Int, record: RecordType) -> String {
        guard let s = record.fields.firstIndex(where: { $0.name == "id" }) else { return "" }
        let t = Int(c.batch.slots[i * c.batch.width + s])
        return t >= 0 && t < c.batch.texts.count ? c.batch.texts[t] : ""
    }

    /// Deciders for worker threads: one per thread at a time.
    final class DeciderPool: @unchecked Sendable {
        let make: () -> ChunkDecider
        var free: [ChunkDecider] = []
        let lock = NSLock()
        init(make: @escaping () -> ChunkDecider) { self.make = make }
        func take() -> ChunkDecider {
            lock.lock()
            if let d = free.popLast() { lock.unlock(); return d }
            lock.unlock()
            return make()
        }
        func giveBack(_ d: ChunkDecider) {
            lock.lock(); free.append(d); lock.unlock()
        }
    }

    /// Finished chunks waiting for their turn to be written.
    final class PendingChunks: @unchecked Sendable {
        var chunks: [Int: Chunk] = [:]
        let lock = NSLock()
        func put(_ i: Int, _ c: Chunk) { lock.lock(); chunks[i] = c; lock.unlock() }
        func take(_ i: Int) -> Chunk? { lock.lock(); defer { lock.unlock() }; return chunks.removeValue(forKey: i) }
    }
}
