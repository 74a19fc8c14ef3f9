import Foundation
import Linja

/// A byte range of the client file on its way through `linja run`: read,
/// decided and rendered by one worker, then written in order by
/// `RunPipeline`.
///
/// Everything in it is numbered from the range's first line and row; the
/// writer moves the numbers to the file's once the ranges before are
/// written. Each client is decided once. What a client adds to the output
/// and to the counts is kept per client, so that a client found to repeat
/// an earlier id can be left out without deciding anything again.
final class Chunk: @unchecked Sendable {
    let index: Int
    /// Where reading started and what it found.
    var start = 0
    /// The file's line and row where the chunk starts (known once the
    /// chunks before have been read).
    var lineBase = 0
    var rowBase = 0
    var rows: ClientRows
    var rejects: [RejectedRow] = []
    var end = ClientReader.RangeEnd(end: 0, lines: 0, rows: 0)
    /// JSON Lines keys naming no field, where they first occur here.
    var unknownKeys: [(key: String, row: Int, column: Int)] { end.unknownKeys }

    /// A row whose id an earlier row had: the row, where the id was first
    /// (a chunk and a row in it) and the row's fields as read.
    struct Repeat {
        var client: Int
        var firstChunk: Int
        var firstRow: Int
        var fields: [String]
        var idColumn: Int?
    }
    var repeats: [Repeat] = []

    // Results, per client.
    enum Result: UInt8 { case skipped, decided, failed }
    var results: [Result] = []
    var failures: [(client: Int, error: EvalError, fields: [String])] = []
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

    /// A chunk of about `bytes` of the file (for the first guess at how
    /// many rows it holds: growing arrays copy them).
    init(index: Int, width: Int, bytes: Int) {
        self.index = index
        rows = ClientRows(width: width, capacity: min(bytes / 96 + 16, 1 << 16))
    }

    /// Client `i`'s output.
    func output(of i: Int) -> ArraySlice<UInt8> {
        output[(i == 0 ? 0 : outputEnd[i - 1])..<outputEnd[i]]
    }

    /// Takes client `i`'s part out of the chunk's counts (it repeats an earlier id).
    func withdraw(_ i: Int) {
        guard results[i] == .decided else { return }
        results[i] = .skipped
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
/// evaluator (over the shared compiled program) and renderer. Made on the
/// calling thread and handed to one worker, which alone uses it after.
final class ChunkDecider: @unchecked Sendable {
    let policy: Policy
    let evaluator: Evaluator
    let renderer: DecisionRenderer
    let summaryKeys: Summary
    let only: [UInt8]?
    let withSummary: Bool
    let record: RecordType
    let idSlot: Int?
    /// The id's slot when it is text (read as bytes).
    let textIDSlot: Int?
    let mSlot: Int?
    /// Output bytes per client in the chunks decided so far: the next
    /// chunk's buffer is made that large at once (growing it client by
    /// client copied it over and over).
    var outputPerClient = 0

    init(policy: Policy, program: Program, renderer: DecisionRenderer, summaryKeys: Summary, only: String?, withSummary: Bool) {
        self.policy = policy
        self.evaluator = Evaluator(policy: policy, program: program)
        evaluator.logFirings = true
        self.renderer = renderer
        self.summaryKeys = summaryKeys
        self.only = only.map { Array($0.utf8) }
        self.withSummary = withSummary
        let record = policy.record ?? RecordType(name: "client", label: nil, fields: [], span: .none)
        self.record = record
        let idSlot = record.fields.firstIndex { $0.name == "id" }
        self.idSlot = idSlot
        self.textIDSlot = idSlot.flatMap { record.fields[$0].type.base == .text ? $0 : nil }
        self.mSlot = record.fields.firstIndex { $0.type.base == .municipality }
    }

    /// Decides every client of a chunk once, renders its output and counts
    /// it. Results are gathered in local arrays and handed to the chunk at
    /// the end: a class's stored arrays would pay a run-time exclusivity
    /// check on every append.
    func process(_ c: Chunk, reader: ClientReader) {
        let rows = c.rows
        let width = rows.width
        let mCount = policy.municipalities.count + 1
        let n = rows.count
        var counts = Array(repeating: 0, count: summaryKeys.keyCount * mCount)
        var clientsBy = Array(repeating: 0, count: mCount)
        var fired = Array(repeating: 0, count: policy.rules.count)
        var firedVariants = policy.rules.map { Array(repeating: 0, count: $0.variants.count) }
        var results = Array(repeating: Chunk.Result.skipped, count: n)
        var failures: [(client: Int, error: EvalError, fields: [String])] = []
        var output: [UInt8] = []
        if !withSummary { output.reserveCapacity(n * (outputPerClient + 8)) }
        var outputEnd: [Int] = [], keyEnd: [Int32] = [], firingEnd: [Int32] = [], municipalityIndex: [Int32] = []
        outputEnd.reserveCapacity(n)
        keyEnd.reserveCapacity(n)
        firingEnd.reserveCapacity(n)
        municipalityIndex.reserveCapacity(n)
        var keys: [Int32] = [], firings: [Int32] = []
        keys.reserveCapacity(3 * n)
        firings.reserveCapacity(4 * n)
        let fromGives = renderer.rendersFromGives && (idSlot == nil || textIDSlot != nil)
        // Texts as strings only when a rule compares text or the output
        // needs the client's values.
        let needsValues = !withSummary && (!fromGives || renderer.explain)
        let texts: [String] = evaluator.needsTexts || needsValues ? rows.texts() : []
        let keyOf = summaryKeys
        let evaluator = self.evaluator
        rows.slots.withUnsafeBufferPointer { all in
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
                    guard let s = textIDSlot, rows.withText(Int(row[s]), { $0.elementsEqual(only) }) else { continue }
                }
                // One decision per client: with statuses when they are explained.
                var decision: Decision?
                do {
                    if renderer.explain {
                        decision = try evaluator.decide(row: row, texts: texts, trace: true)
                    } else {
                        try evaluator.decideGives(row: row, texts: texts)
                    }
                } catch {
                    let e = (error as? EvalError) ?? EvalError(message: "\(error)", span: .none)
                    results[i] = .failed
                    failures.append((i, e, reader.originalFields(at: rows.offsets[i])))
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
                    renderer.appendFromGives(row: row, rows: rows, idSlot: textIDSlot, municipality: m,
                                             evaluator: evaluator, into: &output)
                } else {
                    let values = rows.values(i, record: record, texts: texts)
                    let d = decision ?? Decision(outcomes: outcomes ?? Decision.resolve(evaluator.lastGives, rules: policy.rules), statuses: nil)
                    renderer.append(id: renderer.idText(values, idSlot: idSlot, row: c.rowBase + rows.rows[i]), values: values, decision: d,
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
        if n > 0 { outputPerClient = max(outputPerClient, output.count / n) }
        c.output = output
        c.outputEnd = outputEnd
        c.keyEnd = keyEnd
        c.firingEnd = firingEnd
        c.municipalityIndex = municipalityIndex
        c.keys = keys
        c.firings = firings
    }
}
