import Foundation
import Linja

/// A chunk of clients on its way through `linja run`: read (and, with
/// several threads, decoded) in order, decided and rendered on a worker,
/// then written in order by `RunPipeline`.
///
/// Each client is decided once. What a client adds to the output and to the
/// counts is kept per client, so that a client found to repeat an earlier
/// id when the chunk is written can be left out without deciding anything
/// again.
final class Chunk: @unchecked Sendable {
    var batch: ClientBatch
    /// Row numbers of the decoded clients.
    var rows: [Int] = []

    // Reading on a worker (CSV with several threads): the records as read,
    // rows rejected while decoding them or before, and each decoded row's
    // raw record and id fingerprint.
    var raw: RawRows?
    var rejects: [(issue: DataIssue, fields: [String])] = []
    var rawIndex: [Int] = []
    var fingerprints: [IDFingerprint?] = []

    // Results, per client.
    enum Result: UInt8 { case skipped, decided, failed }
    var results: [Result] = []
    var failures: [(client: Int, error: EvalError)] = []
    /// Client `i`'s output is `output[outputEnd[i - 1] ..< outputEnd[i]]`.
    var output: [UInt8] = []
    var outputEnd: [Int] = []
    /// Flat counts `counts[key * municipalities + mi]`, clients by municipality
    /// index, and rule and variant firings, for the whole chunk; with each
    /// client's own part (`keys`, `municipalityIndex`, `firings`) to take it
    /// out again.
    var counts: [Int] = []
    var clientsBy: [Int] = []
    var fired: [Int] = []
    var firedVariants: [[Int]] = []
    var keys: [Int32] = []
    var keyEnd: [Int32] = []
    var municipalityIndex: [Int32] = []
    var firings: [Int32] = []
    var firingEnd: [Int32] = []

    init(width: Int, capacity: Int) { batch = ClientBatch(width: width, capacity: capacity) }

    /// Client `i`'s output.
    func output(of i: Int) -> ArraySlice<UInt8> {
        output[(i == 0 ? 0 : outputEnd[i - 1])..<outputEnd[i]]
    }

    /// Takes client `i`'s part out of the chunk's counts (it repeats an earlier id).
    func withdraw(_ i: Int) {
        guard results[i] == .decided else { return }
        for k in (i == 0 ? 0 : Int(keyEnd[i - 1]))..<Int(keyEnd[i]) { counts[Int(keys[k])] -= 1 }
        clientsBy[Int(municipalityIndex[i])] -= 1
        var f = i == 0 ? 0 : Int(firingEnd[i - 1])
        while f < Int(firingEnd[i]) {
            let rule = Int(firings[f]), variant = Int(firings[f + 1])
            fired[rule] -= 1
            if variant >= 0 { firedVariants[rule][variant] -= 1 }
            f += 2
        }
    }
}

/// Decides and renders chunks: one per worker at a time, each with its own
/// evaluator (over the shared compiled program) and renderer.
final class ChunkDecider {
    let policy: Policy
    let evaluator: Evaluator
    let renderer: DecisionRenderer
    let summaryKeys: Summary
    let only: String?
    let withSummary: Bool
    let record: RecordType
    let idSlot: Int?
    let mSlot: Int?

    init(policy: Policy, program: Program, renderer: DecisionRenderer, summaryKeys: Summary, only: String?, withSummary: Bool) {
        self.policy = policy
        self.evaluator = Evaluator(policy: policy, program: program)
        evaluator.logFirings = true
        self.renderer = renderer
        self.summaryKeys = summaryKeys
        self.only = only
        self.withSummary = withSummary
        self.record = policy.record ?? RecordType(name: "client", label: nil, fields: [], span: .none)
        self.idSlot = record.fields.firstIndex { $0.name == "id" }
        self.mSlot = record.fields.firstIndex { $0.type.base == .municipality }
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

    /// Decides every client of a chunk once, renders its output and counts
    /// it. Results are gathered in local arrays and handed to the chunk at
    /// the end: a class's stored arrays would pay a run-time exclusivity
    /// check on every append.
    func process(_ c: Chunk) {
        let width = record.fields.count
        let mCount = policy.municipalities.count + 1
        let n = c.rows.count
        var counts = Array(repeating: 0, count: summaryKeys.keyCount * mCount)
        var clientsBy = Array(repeating: 0, count: mCount)
        var fired = Array(repeating: 0, count: policy.rules.count)
        var firedVariants = policy.rules.map { Array(repeating: 0, count: $0.variants.count) }
        var results = Array(repeating: Chunk.Result.skipped, count: n)
        var failures: [(client: Int, error: EvalError)] = []
        var output: [UInt8] = []
        var outputEnd: [Int] = [], keyEnd: [Int32] = [], firingEnd: [Int32] = [], municipalityIndex: [Int32] = []
        outputEnd.reserveCapacity(n)
        keyEnd.reserveCapacity(n)
        firingEnd.reserveCapacity(n)
        municipalityIndex.reserveCapacity(n)
        var keys: [Int32] = [], firings: [Int32] = []
        keys.reserveCapacity(3 * n)
        firings.reserveCapacity(4 * n)
        let fromGives = renderer.rendersFromGives
        let texts = c.batch.texts
        let keyOf = summaryKeys
        c.batch.slots.withUnsafeBufferPointer { all in
            guard let base = all.baseAddress else { return }
            for i in 0..<n {
                defer {
                    outputEnd.append(output.count)
                    keyEnd.append(Int32(keys.count))
                    firingEnd.append(Int32(firings.count))
                    if municipalityIndex.count == i { municipalityIndex.append(0) }
                }
                let row = base + i * width
                if let only {
                    guard let s = idSlot, Int(row[s]) >= 0, Int(row[s]) < texts.count, texts[Int(row[s])] == only else { continue }
                }
                // One decision per client: with statuses when they are explained.
                var decision: Decision?
                do {
                    if renderer.explain {
                        decision = try evaluator.decide(row: row, texts: texts, trace: true)
                    } else {
                        try evaluator.decideGives(row: row, texts: texts)
                    }
                } catch let e as EvalError {
                    results[i] = .failed
                    failures.append((i, e))
                    continue
                } catch {
                    results[i] = .failed
                    failures.append((i, EvalError(message: "\(error)", span: .none)))
                    continue
                }
                results[i] = .decided
                let m = mSlot.map { Int(row[$0]) } ?? -1
                let mi = m >= 0 && m < mCount - 1 ? m + 1 : 0
                clientsBy[mi] += 1
                municipalityIndex.append(Int32(mi))
                for f in 0..<evaluator.lastFiringCount {
                    let (rule, variant) = evaluator.firing(f)
                    fired[rule] += 1
                    if variant >= 0 { firedVariants[rule][variant] += 1 }
                    firings.append(Int32(rule))
                    firings.append(Int32(variant))
                }
                let outcomes: [DecidedOutcome]? = decision?.outcomes
                    ?? (evaluator.lastGivesAreDistinct ? nil : Decision.resolve(evaluator.lastGives, rules: policy.rules))
                if let outcomes {
                    for o in outcomes {
                        let slot = keyOf.key(o.outcome, o.destination ?? -1) * mCount + mi
                        counts[slot] += 1
                        keys.append(Int32(slot))
                    }
                } else {
                    for k in 0..<evaluator.lastGiveCount {
                        let g = evaluator.give(k)
                        let slot = keyOf.key(Int(g.outcome), Int(g.destination)) * mCount + mi
                        counts[slot] += 1
                        keys.append(Int32(slot))
                    }
                }
                if withSummary { continue }
                if fromGives && outcomes == nil {
                    renderer.appendFromGives(row: row, texts: texts, idSlot: idSlot, municipality: m,
                                             evaluator: evaluator, into: &output)
                } else {
                    let values = c.batch.values(i, record: record)
                    let d = decision ?? Decision(outcomes: outcomes ?? Decision.resolve(evaluator.lastGives, rules: policy.rules), statuses: nil)
                    renderer.append(id: renderer.idText(values, idSlot: idSlot, row: c.rows[i]), values: values, decision: d,
                                    municipality: m >= 0 ? m : nil, into: &output)
                }
            }
        }
        c.counts = counts
        c.clientsBy = clientsBy
        c.fired = fired
        c.firedVariants = firedVariants
        c.results = results
        c.failures = failures
        c.output = output
        c.outputEnd = outputEnd
        c.keyEnd = keyEnd
        c.firingEnd = firingEnd
        c.municipalityIndex = municipalityIndex
        c.keys = keys
        c.firings = firings
    }

    /// Row `i`'s id as read.
    func id(of c: Chunk, _ i: Int) -> String {
        guard let s = idSlot else { return "" }
        let t = Int(c.batch.slots[i * c.batch.width + s])
        return t >= 0 && t < c.batch.texts.count ? c.batch.texts[t] : ""
    }
}
