import Foundation
import Linja

/// `linja run`: clients read, decided and written in one pass, in input
/// order, in bounded memory. Rows are read in chunks on the calling thread;
/// chunks are decided and rendered on worker threads (each with its own
/// evaluator over the shared compiled program) and written in order.
public final class RunPipeline: @unchecked Sendable {
    public enum Format: String, Sendable, CaseIterable { case table, json, jsonl, csv }

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
    let explainer: Explainer
    let formatter: ValueFormatter
    public private(set) var counts = Counts()
    /// With `only`: whether a client with that id was read.
    public private(set) var foundOnly = false
    public private(set) var summary: Summary
    let paramOverrides: [Int: Value]
    let record: RecordType
    let idSlot: Int?
    let mSlot: Int?
    // Pre-rendered pieces of JSON output.
    let municipalityJSON: [[UInt8]]
    let outcomeFragments: [Int: [UInt8]]
    let provenanceJSON: [UInt8]
    var wroteAny = false

    public init(policy: Policy, asOf: Day, paramOverrides: [Int: Value] = [:], options: Options) {
        self.policy = policy
        self.asOf = asOf
        self.options = options
        self.paramOverrides = paramOverrides
        self.program = Compiler.compile(policy, asOf: asOf, paramOverrides: paramOverrides)
        self.explainer = Explainer(policy: policy, asOf: asOf, paramOverrides: paramOverrides)
        self.formatter = ValueFormatter(policy: policy, decimalComma: options.finnishCSV)
        self.summary = Summary(policy: policy, asOf: asOf)
        self.record = policy.record ?? RecordType(name: "client", label: nil, fields: [], span: .none)
        self.idSlot = record.fields.firstIndex { $0.name == "id" }
        self.mSlot = record.fields.firstIndex { $0.type.base == .municipality }
        self.municipalityJSON = policy.municipalities.map { Array(JSON.quoted($0.name).utf8) }
        var fragments: [Int: [UInt8]] = [:]
        for r in policy.rules {
            for o in r.outcomes + r.variants.flatMap(\.outcomes) {
                let key = RunPipeline.fragmentKey(o.outcome, o.destination ?? -1, r.id)
                let d = DecidedOutcome(outcome: o.outcome, destination: o.destination, rules: [r.id], overruled: [])
                fragments[key] = Array(RunPipeline.outcomeJSON(policy, d).compact.utf8)
            }
        }
        self.outcomeFragments = fragments
        self.provenanceJSON = Array(",\"as_of\":\"\(asOf)\",\"policy\":\"\(policy.shortFingerprint)\"".utf8)
    }

    static func fragmentKey(_ o: Int, _ d: Int, _ r: Int) -> Int { (o << 40) | ((d + 1) << 20) | r }

    // MARK: The pipeline

    final class Chunk: @unchecked Sendable {
        var batch: ClientBatch
        var rows: [Int] = []
        var output: [UInt8] = []
        var failures: [(row: Int, error: EvalError, values: [Value])] = []
        var decided = 0
        var matchedOnly = false
        var counts: [Int] = []
        var clientsBy: [Int] = []
        /// Reading on the workers (CSV with several threads): the records as
        /// read, rows rejected while decoding them or before, and each
        /// decoded row's raw record and id fingerprint.
        var raw: RawRows?
        var rejects: [(issue: DataIssue, fields: [String])] = []
        var rawIndex: [Int] = []
        var fingerprints: [IDFingerprint?] = []
        init(width: Int, capacity: Int) { batch = ClientBatch(width: width, capacity: capacity) }

        /// Forgets the results of `process`, to run it again.
        func resetResults() {
            output = []
            failures = []
            decided = 0
            matchedOnly = false
        }
    }

    /// Runs over every client the reader gives. Bad rows go to `reject` (with
    /// their raw fields); output bytes to `out`, in input order.
    public func run(_ reader: ClientReader, out: ([UInt8]) -> Void, reject: (DataIssue, [String]) -> Void) {
        let threads = max(1, options.threads)
        if !options.summary { out(Array(header().utf8)) }
        let pool = EvaluatorPool(policy: policy, program: program)
        let pending = PendingChunks()
        let group = DispatchGroup()
        let slots = DispatchSemaphore(value: threads + 1)
        var nextToWrite = 0
        var index = 0

        func emit(_ c: Chunk) {
            if c.raw != nil { settleReading(c, reader, pool, reject) }
            for f in c.failures {
                counts.failed += 1
                reject(DataIssue(path: reader.path, row: f.row, message: "cannot be decided: \(f.error)"),
                       reader.rawFields(of: f.values, policy: policy))
            }
            counts.decided += c.decided
            if c.matchedOnly { foundOnly = true }
            merge(c)
            if !c.output.isEmpty { out(joinOutput(c.output)) }
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

        var done = false
        // With several threads, CSV fields are decoded on the workers too; the
        // reader only scans records, and repeated ids are checked in order
        // when a chunk is written.
        let decodeOnWorkers = threads > 1 && reader.format == .csv
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
                let myIndex = index
                index += 1
                while slots.wait(timeout: .now() + .milliseconds(1)) == .timedOut { drain(wait: false) }
                group.enter()
                let decoder = reader.decoder
                DispatchQueue.global().async {
                    let e = pool.take()
                    self.decode(chunk, decoder)
                    self.process(chunk, e)
                    pool.giveBack(e)
                    pending.put(myIndex, chunk)
                    group.leave()
                }
                drain(wait: false)
                continue
            }
            while chunk.rows.count < options.chunkSize {
                switch reader.next(into: &chunk.batch) {
                case .end: done = true
                case .rejected(let issue):
                    counts.read += 1
                    counts.rejected += 1
                    reject(issue, reader.rawFields)
                    continue
                case .client:
                    counts.read += 1
                    chunk.rows.append(reader.row)
                    continue
                }
                break
            }
            if chunk.rows.isEmpty { continue }
            let myIndex = index
            index += 1
            if threads == 1 {
                let e = pool.take()
                process(chunk, e)
                pool.giveBack(e)
                emit(chunk)
                nextToWrite += 1
            } else {
                // A slot frees when a chunk is written, and only this thread writes.
                while slots.wait(timeout: .now() + .milliseconds(1)) == .timedOut { drain(wait: false) }
                group.enter()
                DispatchQueue.global().async {
                    let e = pool.take()
                    self.process(chunk, e)
                    pool.giveBack(e)
                    pending.put(myIndex, chunk)
                    group.leave()
                }
                drain(wait: false)
            }
        }
        group.wait()
        drain(wait: true)
        for e in pool.all { summary.addFirings(e.fired, e.firedVariants) }
        if !options.summary { out(Array(footer().utf8)) }
    }

    /// Decodes a chunk's raw records (on a worker): accepted rows into the
    /// batch with their id fingerprints, bad ones into `rejects`.
    func decode(_ c: Chunk, _ decoder: RowDecoder) {
        guard let raw = c.raw else { return }
        for i in 0..<raw.count {
            if let issue = decoder.decode(raw, i, into: &c.batch) {
                c.rejects.append((issue, raw.strings(i)))
                continue
            }
            c.rows.append(raw.rows[i])
            c.rawIndex.append(i)
            c.fingerprints.append(decoder.idFingerprint(c.batch, row: c.rows.count - 1))
        }
    }

    /// Finishes reading a chunk decoded on a worker, in reading order (on the
    /// writing thread): rejects a row whose id an earlier row had (deciding
    /// the chunk again without it, which is rare), then reports the chunk's
    /// rejected rows in row order, as single-threaded reading would.
    func settleReading(_ c: Chunk, _ reader: ClientReader, _ pool: EvaluatorPool,
                       _ reject: (DataIssue, [String]) -> Void) {
        guard let raw = c.raw else { return }
        var repeated: [Int] = []
        for i in 0..<c.rows.count {
            let issue = reader.repeatedID(c.fingerprints[i], id: self.id(of: c, i), row: c.rows[i])
            if let issue {
                repeated.append(i)
                c.rejects.append((issue, raw.strings(c.rawIndex[i])))
            }
        }
        if !repeated.isEmpty {
            c.batch.removeRows(repeated)
            let drop = Set(repeated)
            c.rows = c.rows.enumerated().filter { !drop.contains($0.offset) }.map(\.element)
            c.resetResults()
            let e = pool.take()
            process(c, e)
            pool.giveBack(e)
        }
        c.rejects.sort { $0.issue.row < $1.issue.row }
        counts.read += c.rows.count + c.rejects.count
        counts.rejected += c.rejects.count
        for r in c.rejects { reject(r.issue, r.fields) }
    }

    /// Row `i`'s id as read.
    func id(of c: Chunk, _ i: Int) -> String {
        guard let s = idSlot else { return "" }
        let t = Int(c.batch.slots[i * c.batch.width + s])
        return t >= 0 && t < c.batch.texts.count ? c.batch.texts[t] : ""
    }

    /// Joins chunk output for JSON arrays: items are separated by commas across chunks.
    func joinOutput(_ bytes: [UInt8]) -> [UInt8] {
        guard options.format == .json, !options.summary else { return bytes }
        defer { wroteAny = true }
        return (wroteAny ? Array(",".utf8) : []) + bytes
    }

    func merge(_ c: Chunk) {
        summary.addCounts(c.counts, clientsBy: c.clientsBy, clients: c.decided)
    }

    /// Decides every client of a chunk and renders its output.
    func process(_ c: Chunk, _ evaluator: Evaluator) {
        let width = record.fields.count
        let keyCount = summary.keyCount
        let mCount = policy.municipalities.count + 1
        c.counts = Array(repeating: 0, count: keyCount * mCount)
        c.clientsBy = Array(repeating: 0, count: mCount)
        var first = true
        let slowFormat = options.explain || options.format == .table || options.format == .csv
        c.batch.slots.withUnsafeBufferPointer { all in
            guard let base = all.baseAddress else { return }
            for i in 0..<c.rows.count {
                let row = base + i * width
                if let only = options.only {
                    guard let s = idSlot, Int(row[s]) >= 0, Int(row[s]) < c.batch.texts.count, c.batch.texts[Int(row[s])] == only else { continue }
                    c.matchedOnly = true
                }
                do {
                    try evaluator.decideGives(row: row, texts: c.batch.texts)
                } catch let e as EvalError {
                    c.failures.append((c.rows[i], e, c.batch.values(i, record: record)))
                    continue
                } catch {
                    continue
                }
                c.decided += 1
                let m = mSlot.map { Int(row[$0]) } ?? -1
                let mi = m >= 0 && m < mCount - 1 ? m + 1 : 0
                c.clientsBy[mi] += 1
                let distinct = evaluator.lastGivesAreDistinct
                let outcomes: [DecidedOutcome]? = distinct ? nil : Decision.resolve(evaluator.lastGives, rules: policy.rules)
                if let outcomes {
                    for o in outcomes { c.counts[summary.key(o.outcome, o.destination ?? -1) * mCount + mi] += 1 }
                } else {
                    for k in 0..<evaluator.lastGiveCount {
                        let g = evaluator.give(k)
                        c.counts[summary.key(Int(g.outcome), Int(g.destination)) * mCount + mi] += 1
                    }
                }
                if options.summary { continue }
                if !slowFormat && outcomes == nil {
                    renderFast(row, c.batch.texts, m, evaluator, into: &c.output, first: &first)
                } else {
                    let values = c.batch.values(i, record: record)
                    var decision = Decision(outcomes: outcomes ?? Decision.resolve(evaluator.lastGives, rules: policy.rules), statuses: nil)
                    if options.explain {
                        decision = (try? evaluator.decide(row: row, texts: c.batch.texts, trace: true)) ?? decision
                    }
                    let id = idSlot.map { formatter.text(values[$0]) } ?? String(c.rows[i])
                    var text = render(id: id, values: values, decision: decision, municipality: m >= 0 ? m : nil)
                    if options.format == .json { text = (first ? "\n    " : ",\n    ") + text }
                    first = false
                    c.output.append(contentsOf: text.utf8)
                }
            }
        }
    }

    /// JSON and JSON Lines without building values: pre-rendered pieces.
    func renderFast(_ row: UnsafePointer<Int64>, _ texts: [String], _ m: Int, _ evaluator: Evaluator, into out: inout [UInt8], first: inout Bool) {
        if options.format == .json { out.append(contentsOf: (first ? "\n    " : ",\n    ").utf8) }
        first = false
        out.append(contentsOf: "{\"id\":".utf8)
        if let s = idSlot, Int(row[s]) >= 0, Int(row[s]) < texts.count {
            appendJSONString(texts[Int(row[s])], into: &out)
        } else {
            out.append(contentsOf: "\"\"".utf8)
        }
        out.append(contentsOf: ",\"municipality\":".utf8)
        if m >= 0, m < municipalityJSON.count { out.append(contentsOf: municipalityJSON[m]) } else { out.append(contentsOf: "\"\"".utf8) }
        if options.format == .jsonl { out.append(contentsOf: provenanceJSON) }
        out.append(contentsOf: ",\"outcomes\":[".utf8)
        // Outcomes in outcome order, as `Decision.resolve` gives them.
        let n = evaluator.lastGiveCount
        var written = 0
        var previous: Int32 = -1
        while written < n {
            // The next give by outcome id (gives are few and distinct here).
            var best = -1
            for k in 0..<n {
                let o = evaluator.give(k).outcome
                if o > previous, best < 0 || o < evaluator.give(best).outcome { best = k }
            }
            guard best >= 0 else { break }
            let g = evaluator.give(best)
            if written > 0 { out.append(UInt8(ascii: ",")) }
            if let f = outcomeFragments[RunPipeline.fragmentKey(Int(g.outcome), Int(g.destination), Int(g.rule))] {
                out.append(contentsOf: f)
            }
            previous = g.outcome
            written += 1
        }
        out.append(contentsOf: (options.format == .jsonl ? "]}\n" : "]}").utf8)
    }

    func appendJSONString(_ s: String, into out: inout [UInt8]) {
        var simple = true
        for b in s.utf8 where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { simple = false; break }
        if simple {
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: s.utf8)
            out.append(UInt8(ascii: "\""))
        } else {
            out.append(contentsOf: JSON.quoted(s).utf8)
        }
    }

    /// Evaluators for worker threads: one per thread at a time, over one program.
    final class EvaluatorPool: @unchecked Sendable {
        let policy: Policy
        let program: Program
        var free: [Evaluator] = []
        var all: [Evaluator] = []
        let lock = NSLock()
        init(policy: Policy, program: Program) {
            self.policy = policy
            self.program = program
        }
        func take() -> Evaluator {
            lock.lock(); defer { lock.unlock() }
            if let e = free.popLast() { return e }
            let e = Evaluator(policy: policy, program: program)
            e.countFirings = true
            all.append(e)
            return e
        }
        func giveBack(_ e: Evaluator) {
            lock.lock(); free.append(e); lock.unlock()
        }
    }

    /// Finished chunks waiting for their turn to be written.
    final class PendingChunks: @unchecked Sendable {
        var chunks: [Int: Chunk] = [:]
        let lock = NSLock()
        func put(_ i: Int, _ c: Chunk) { lock.lock(); chunks[i] = c; lock.unlock() }
        func take(_ i: Int) -> Chunk? { lock.lock(); defer { lock.unlock() }; return chunks.removeValue(forKey: i) }
    }

    // MARK: Rendering

    func header() -> String {
        switch options.format {
        case .table:
            return "\(pad("id", 14)) \(pad("municipality", 18)) outcomes\n"
        case .json:
            return "{\n  \"policy\": \(JSON.quoted(policy.name)),\n  \"fingerprint\": \"\(policy.fingerprint)\",\n  \"as_of\": \"\(asOf)\",\n  \"clients\": ["
        case .jsonl:
            return ""
        case .csv:
            let cols = ["policy", "as_of", "id", "municipality", "kind", "name", "target", "rule"]
            return csvLine(cols)
        }
    }

    func footer() -> String {
        switch options.format {
        case .table:
            return "\n\(counts.decided) decided, \(counts.rejected + counts.failed) rejected of \(counts.read) read; policy \(policy.name) \(policy.shortFingerprint), as of \(asOf)\n"
        case .json:
            return "\n  ],\n  \"counts\": {\"read\": \(counts.read), \"decided\": \(counts.decided), \"rejected\": \(counts.rejected + counts.failed)}\n}\n"
        case .jsonl, .csv:
            return ""
        }
    }

    func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }

    func outcomeText(_ o: DecidedOutcome) -> String {
        let def = policy.outcomes[o.outcome]
        if let d = o.destination { return "\(def.kind.rawValue) \(def.name) → \(def.destinations[d])" }
        return "\(def.kind.rawValue) \(def.name)"
    }

    func csvField(_ s: String) -> String {
        let sep: Character = options.finnishCSV ? ";" : ","
        if s.contains(sep) || s.contains("\"") || s.contains("\n") || s.contains("\r") {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    func csvLine(_ fields: [String]) -> String {
        fields.map(csvField).joined(separator: options.finnishCSV ? ";" : ",") + "\r\n"
    }

    func dateText(_ d: Day) -> String {
        options.finnishCSV ? "\(d.day).\(d.month).\(d.year)" : d.description
    }

    func render(id: String, values: [Value], decision: Decision, municipality: Int?) -> String {
        let mName = municipality.map { policy.municipalities[$0].name } ?? ""
        switch options.format {
        case .table:
            var s = "\(pad(id, 14)) \(pad(mName, 18)) " + (decision.outcomes.isEmpty ? "–" : decision.outcomes.map(outcomeText).joined(separator: ", ")) + "\n"
            if options.explain, let st = decision.statuses {
                for r in explainer.explain(values, statuses: st) where r.status != .outOfScope && r.status != .inactive {
                    let mark: String
                    if case .fired = r.status { mark = "✓" } else { mark = "·" }
                    s += "    \(mark) rule \(r.rule)" + (r.label.map { " \"\($0)\"" } ?? "") + ": \(r.summary)"
                    s += (r.outcomes.isEmpty ? "" : " → " + r.outcomes.joined(separator: ", ")) + (r.location.map { "  (\($0))" } ?? "") + "\n"
                    s += Explainer.text(r, indent: "        ")
                }
            }
            return s
        case .json, .jsonl:
            var pairs: [(String, JSON)] = [("id", .string(id)), ("municipality", .string(mName))]
            if options.format == .jsonl {
                pairs.append(("as_of", .string(asOf.description)))
                pairs.append(("policy", .string(policy.shortFingerprint)))
            }
            pairs.append(("outcomes", .array(decision.outcomes.map { RunPipeline.outcomeJSON(policy, $0) })))
            if options.explain, let st = decision.statuses {
                pairs.append(("explanation", .array(explainer.explain(values, statuses: st).map(Explainer.json))))
            }
            let obj = JSON.object(pairs)
            return obj.compact + (options.format == .jsonl ? "\n" : "")
        case .csv:
            if decision.outcomes.isEmpty {
                return csvLine([policy.shortFingerprint, dateText(asOf), id, mName, "", "", "", ""])
            }
            return decision.outcomes.map { o in
                let def = policy.outcomes[o.outcome]
                return csvLine([policy.shortFingerprint, dateText(asOf), id, mName, def.kind.rawValue, def.name,
                                o.destination.map { def.destinations[$0] } ?? "", policy.rules[o.rules[0]].name])
            }.joined()
        }
    }

    static func outcomeJSON(_ policy: Policy, _ o: DecidedOutcome) -> JSON {
        let def = policy.outcomes[o.outcome]
        var pairs: [(String, JSON)] = [("kind", .string(def.kind.rawValue)), ("name", .string(def.name))]
        if let d = o.destination { pairs.append(("target", .string(def.destinations[d]))) }
        pairs.append(("rule", .string(policy.rules[o.rules[0]].name)))
        if o.rules.count > 1 { pairs.append(("also", .array(o.rules.dropFirst().map { .string(policy.rules[$0].name) }))) }
        if !o.overruled.isEmpty { pairs.append(("overruled", .array(o.overruled.map { .string(policy.rules[$0].name) }))) }
        if let l = def.label { pairs.append(("label", .string(l))) }
        return .object(pairs)
    }
}
