import Foundation
import Linja

/// One version of a policy in a comparison: the checked policy, the param
/// overrides it is evaluated with, and how reports name it.
public struct PolicyVersion: Sendable {
    public var policy: Policy
    /// Param id → value, as `paramOverrides(_:policy:)` gives them for `--param`.
    public var paramOverrides: [Int: Value]
    /// How reports name this version: a directory, `HEAD:rules/etela-keski-suomi`.
    public var label: String
    /// Source paths starting with `from` are shown starting with `to`
    /// instead: a revision's temporary tree shown as `HEAD:rules/…`.
    public var pathRewrite: (from: String, to: String)?

    public init(policy: Policy, paramOverrides: [Int: Value] = [:], label: String? = nil,
                pathRewrite: (from: String, to: String)? = nil) {
        self.policy = policy
        self.paramOverrides = paramOverrides
        self.label = label ?? Paths.display(policy.directory)
        self.pathRewrite = pathRewrite
    }

    /// A path or location as this version shows it.
    public func displayPath(_ text: String) -> String {
        guard let r = pathRewrite, text.hasPrefix(r.from) else { return text }
        return r.to + text.dropFirst(r.from.count)
    }

    var info: VersionInfo {
        let f = ValueFormatter(policy: policy)
        let overrides = paramOverrides.sorted { $0.key < $1.key }.compactMap { id, v -> (name: String, value: String)? in
            id >= 0 && id < policy.params.count ? (policy.params[id].name, f.text(v)) : nil
        }
        return VersionInfo(label: label, policy: policy.name, area: policy.areas.first?.label, fingerprint: policy.fingerprint, overrides: overrides)
    }
}

/// Impact analysis: two versions of a policy (OLD and NEW) evaluated over
/// the same clients on the same date. Reports which clients gain and lose
/// each outcome, in total and by municipality; the declarations whose text
/// changed; a sample of changed clients with the explanation under each
/// version; and, for a period, the targets and goal verdicts that change.
///
/// Each version reads the clients with its own record. When the two
/// records (with their enumerations and municipalities) are the same, the
/// file is read once and each row decided by both; otherwise it is read by
/// both in step, row by row, which needs a file (not standard input).
public struct PolicyDiff: Sendable {
    public var old: PolicyVersion
    public var new: PolicyVersion
    public var asOf: Day
    /// How many changed clients to explain (0: none).
    public var sampleSize = 10
    /// With a period, goals and targets are compared too.
    public var period: Period?
    /// Indicator data for the period (CSV), as for `linja goals`.
    public var actuals: String?

    public init(old: PolicyVersion, new: PolicyVersion, asOf: Day) {
        self.old = old
        self.new = new
        self.asOf = asOf
    }

    /// The privacy threshold: the stricter of the two versions'.
    public var suppressBelow: Int { max(old.policy.report.suppressBelow, new.policy.report.suppressBelow) }

    /// Whether the two policies read client data into the same slots: the
    /// same record fields (names, types, columns, codes), enumerations and
    /// municipalities. Then one reading serves both.
    public static func sameEncoding(_ a: Policy, _ b: Policy) -> Bool {
        guard let ra = a.record, let rb = b.record, ra.fields.count == rb.fields.count else { return false }
        for (x, y) in zip(ra.fields, rb.fields) {
            guard x.name == y.name, x.type == y.type, x.columns == y.columns, x.valueMap == y.valueMap,
                  x.defaultValue == y.defaultValue else { return false }
        }
        guard a.enums.count == b.enums.count,
              zip(a.enums, b.enums).allSatisfy({ $0.name == $1.name && $0.values == $1.values && $0.labels == $1.labels }) else { return false }
        guard a.municipalities.count == b.municipalities.count,
              zip(a.municipalities, b.municipalities).allSatisfy({ $0.name == $1.name && $0.code == $1.code }) else { return false }
        return true
    }

    /// An outcome as a Finnish reader names it in one version (its labels), nil when the version lacks it.
    static func finnishTitle(_ o: DiffOutcome, in p: Policy) -> String? {
        guard let i = p.outcomes.firstIndex(where: { $0.kind.rawValue == o.kind && $0.name == o.name }) else { return nil }
        let d = o.destination.flatMap { p.outcomes[i].destinations.firstIndex(of: $0) } ?? -1
        if o.destination != nil, d < 0 { return nil }
        return p.outcomeTitle(i, destination: d, language: .fi)
    }

    /// The declarations that changed (no data needed).
    public func declarationChanges() -> [DeclarationChange] {
        DeclarationDiff.changes(old: old, new: new, asOf: asOf)
    }

    /// A problem that stops the comparison before any row is compared.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    // MARK: Running

    /// Keys shared by both versions: outcome (kind, name, destination) → index.
    struct OutcomeKeys {
        var all: [DiffOutcome] = []
        var index: [DiffOutcome: Int] = [:]
        /// Per version, per outcome id: key index for destination -1, 0, 1, …
        var old: [[Int]] = []
        var new: [[Int]] = []

        init(old: Policy, new: Policy) {
            self.new = table(new)
            self.old = table(old)
        }

        mutating func table(_ p: Policy) -> [[Int]] {
            p.outcomes.map { o in
                (-1..<o.destinations.count).map { d in
                    key(DiffOutcome(kind: o.kind.rawValue, name: o.name, destination: d >= 0 ? o.destinations[d] : nil))
                }
            }
        }

        mutating func key(_ o: DiffOutcome) -> Int {
            if let i = index[o] { return i }
            all.append(o)
            index[o] = all.count - 1
            return all.count - 1
        }

        static func keys(_ d: Decision, _ table: [[Int]]) -> [Int] {
            d.outcomes.compactMap { o in
                guard o.outcome < table.count else { return nil }
                let row = table[o.outcome]
                let slot = (o.destination ?? -1) + 1
                return slot >= 0 && slot < row.count ? row[slot] : nil
            }.sorted()
        }
    }

    /// A changed client kept for the sample.
    struct Candidate {
        var row: Int
        var id: String
        var municipality: String?
        var oldValues: [Value]
        var newValues: [Value]
        var gained: [Int]
        var lost: [Int]
        var before: [Int]
        var after: [Int]
    }

    /// Compares the versions over the clients in `path` (CSV or JSON Lines).
    /// Rejected rows are passed to `reject` as they are met (and listed in
    /// the report); the other rows are compared. Throws `DataIssue` when the
    /// file cannot be read at all, `Failure` when the versions cannot read it
    /// (no record, or standard input that would have to be read twice).
    public func run(clients path: String, reject: (DataIssue) -> Void = { _ in }) throws -> DiffReport {
        var report = DiffReport(old: old.info, new: new.info, asOf: asOf, suppressBelow: suppressBelow)
        report.declarations = declarationChanges()
        let shared = PolicyDiff.sameEncoding(old.policy, new.policy)
        report.readTwice = !shared
        if !shared, path == "-" {
            throw Failure(message: "the two versions read clients with different records, so the file is read twice: give a file, not standard input")
        }
        let newReader = try ClientReader(path: path, policy: new.policy)
        let oldReader = shared ? nil : try ClientReader(path: path, policy: old.policy)
        var reported = Set<String>()
        func note(_ issue: DataIssue) {
            guard reported.insert(issue.description).inserted else { return }
            report.issues.append(issue)
            reject(issue)
        }
        var warned = Set<String>()
        for w in newReader.warnings + (oldReader?.warnings ?? []) where warned.insert(w.description).inserted { report.warnings.append(w) }

        let keys = OutcomeKeys(old: old.policy, new: new.policy)
        // Municipalities by name: the new version's, then any only the old has, then "none".
        var municipalities = new.policy.municipalities.map(\.name)
        for m in old.policy.municipalities where !municipalities.contains(m.name) { municipalities.append(m.name) }
        let mIndex = Dictionary(municipalities.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let newM = new.policy.municipalities.map { mIndex[$0.name] ?? 0 }
        let oldM = old.policy.municipalities.map { mIndex[$0.name] ?? 0 }
        let noneM = municipalities.count
        let mCount = municipalities.count + 1

        let oldEval = Evaluator(policy: old.policy, asOf: asOf, paramOverrides: old.paramOverrides)
        let newEval = Evaluator(policy: new.policy, asOf: asOf, paramOverrides: new.paramOverrides)
        guard let newRecord = new.policy.record, let oldRecord = old.policy.record else {
            throw Failure(message: "a version declares no record to read clients with")
        }
        let newMSlot = newRecord.fields.firstIndex { $0.type.base == .municipality }
        let oldMSlot = oldRecord.fields.firstIndex { $0.type.base == .municipality }
        let newIdSlot = newRecord.fields.firstIndex { $0.name == "id" }

        // Flat counts: [key * mCount + municipality]; every key is known up front.
        let cells = keys.all.count * mCount
        var before = Array(repeating: 0, count: cells), after = before, gained = before, lost = before

        var candidates: [Candidate] = []
        var firstOfChange: [Int: Int] = [:]   // key * 2 (+ 1 when gained) → candidate index
        var early = 0                          // candidates kept for being among the first
        var newBatch = ClientBatch(width: newRecord.fields.count, capacity: 1)
        var oldBatch = ClientBatch(width: oldRecord.fields.count, capacity: 1)

        func municipalityOf(_ batch: ClientBatch, slot: Int?, map: [Int]) -> Int {
            guard let s = slot, s < batch.slots.count else { return noneM }
            let m = batch.slots[s]
            guard m >= 0, m < Int64(map.count) else { return noneM }
            return map[Int(m)]
        }

        func isEnd(_ r: ClientReader.ReadResult) -> Bool { if case .end = r { return true }; return false }
        while true {
            newBatch.removeAll()
            oldBatch.removeAll()
            let rn = newReader.next(into: &newBatch)
            let ro = oldReader?.next(into: &oldBatch)
            if isEnd(rn) {
                if let ro, !isEnd(ro) {
                    note(DataIssue(path: path, row: newReader.row, message: "the two versions read a different number of rows"))
                }
                break
            }
            var rejected = false
            if case .rejected(let issue) = rn { note(issue); rejected = true }
            if let ro, let o = oldReader {
                switch ro {
                case .rejected(let issue): note(issue); rejected = true
                case .end:
                    note(DataIssue(path: path, row: newReader.row, message: "the two versions read a different number of rows"))
                    rejected = true
                case .client:
                    if o.row != newReader.row {
                        note(DataIssue(path: path, row: newReader.row,
                                       message: "the two versions read the rows differently (row \(o.row) against \(newReader.row))"))
                        rejected = true
                    }
                }
            }
            report.read += 1
            if rejected { report.rejected += 1; continue }
            let row = newReader.row
            let oldSource = shared ? newBatch : oldBatch
            // The client's decision under one version; nil (reported) when it cannot be made.
            func decide(_ eval: Evaluator, _ batch: ClientBatch, _ label: String) -> Decision? {
                do {
                    return try batch.slots.withUnsafeBufferPointer { p -> Decision in
                        guard let base = p.baseAddress else { return Decision(outcomes: [], statuses: nil) }
                        return try eval.decide(row: base, texts: batch.texts)
                    }
                } catch {
                    note(DataIssue(path: path, row: row, message: "cannot be decided under \(label): \(error)"))
                    return nil
                }
            }
            guard let oldDecision = decide(oldEval, oldSource, old.label),
                  let newDecision = decide(newEval, newBatch, new.label) else {
                report.rejected += 1
                continue
            }
            report.compared += 1
            let m = newMSlot != nil ? municipalityOf(newBatch, slot: newMSlot, map: newM)
                                    : municipalityOf(oldSource, slot: oldMSlot, map: oldM)
            let b = OutcomeKeys.keys(oldDecision, keys.old)
            let a = OutcomeKeys.keys(newDecision, keys.new)
            for k in b { before[k * mCount + m] += 1 }
            for k in a { after[k * mCount + m] += 1 }
            if a == b { continue }
            let g = a.filter { !b.contains($0) }
            let l = b.filter { !a.contains($0) }
            for k in g { gained[k * mCount + m] += 1 }
            for k in l { lost[k * mCount + m] += 1 }
            report.changedClients += 1
            guard sampleSize > 0 else { continue }
            // Keep the first changed clients, and the first for each change,
            // so that the sample shows every kind of change it can.
            let changes = g.map { $0 * 2 + 1 } + l.map { $0 * 2 }
            let newKind = changes.contains { firstOfChange[$0] == nil }
            let isEarly = early < sampleSize
            guard isEarly || newKind else { continue }
            let id: String = {
                if let s = newIdSlot, s < newBatch.slots.count {
                    let t = newBatch.slots[s]
                    if t >= 0, t < Int64(newBatch.texts.count) { return newBatch.texts[Int(t)] }
                }
                return "row \(row)"
            }()
            let c = Candidate(row: row, id: id, municipality: m < municipalities.count ? municipalities[m] : nil,
                              oldValues: oldSource.values(0, record: oldRecord), newValues: newBatch.values(0, record: newRecord),
                              gained: g, lost: l, before: b, after: a)
            candidates.append(c)
            if isEarly { early += 1 }
            for ch in changes where firstOfChange[ch] == nil { firstOfChange[ch] = candidates.count - 1 }
        }

        // Outcome totals.
        for (k, o) in keys.all.enumerated() {
            var change = OutcomeChange(outcome: o, before: 0, after: 0, gained: 0, lost: 0, byMunicipality: [])
            for mi in 0..<mCount {
                let i = k * mCount + mi
                guard i < before.count else { continue }
                change.before += before[i]
                change.after += after[i]
                change.gained += gained[i]
                change.lost += lost[i]
                if gained[i] > 0 || lost[i] > 0 {
                    change.byMunicipality.append(MunicipalityChange(municipality: mi < municipalities.count ? municipalities[mi] : nil,
                                                                    gained: gained[i], lost: lost[i]))
                }
            }
            if change.gained > 0 || change.lost > 0 { report.outcomes.append(change) }
        }

        // The sample: the first client of each kind of change, then the earliest others.
        if sampleSize > 0 {
            var chosen = Set(firstOfChange.values.sorted().prefix(sampleSize))
            for i in candidates.indices where chosen.count < sampleSize { chosen.insert(i) }
            let oldExplainer = Explainer(policy: old.policy, asOf: asOf, paramOverrides: old.paramOverrides)
            let newExplainer = Explainer(policy: new.policy, asOf: asOf, paramOverrides: new.paramOverrides)
            for i in chosen.sorted() {
                let c = candidates[i]
                report.sample.append(explain(c, keys: keys.all, oldEval: oldEval, newEval: newEval,
                                             oldExplainer: oldExplainer, newExplainer: newExplainer))
            }
        }

        if let period { report.goals = compareGoals(period: period, clients: path, note: note) }
        for p in old.policy.params + new.policy.params { if let l = p.label { report.paramTitles[p.name] = l } }
        for o in keys.all {
            report.titles[o] = PolicyDiff.finnishTitle(o, in: new.policy) ?? PolicyDiff.finnishTitle(o, in: old.policy)
        }
        return report
    }

    /// A sampled client explained under both versions: the rules that gave
    /// or lost a changed outcome, and those whose result differs.
    func explain(_ c: Candidate, keys: [DiffOutcome], oldEval: Evaluator, newEval: Evaluator,
                 oldExplainer: Explainer, newExplainer: Explainer) -> SampleClient {
        let oldDecision = (try? oldEval.decide(c.oldValues, trace: true)) ?? Decision(outcomes: [], statuses: nil)
        let newDecision = (try? newEval.decide(c.newValues, trace: true)) ?? Decision(outcomes: [], statuses: nil)
        let changed = Set((c.gained + c.lost).map { keys[$0] })
        var involved = Set<String>()
        func collect(_ d: Decision, _ p: Policy) {
            for o in d.outcomes where o.outcome < p.outcomes.count {
                let def = p.outcomes[o.outcome]
                let key = DiffOutcome(kind: def.kind.rawValue, name: def.name, destination: o.destination.flatMap {
                    $0 < def.destinations.count ? def.destinations[$0] : nil
                })
                guard changed.contains(key) else { continue }
                for r in o.rules + o.overruled where r < p.rules.count { involved.insert(p.rules[r].name) }
            }
        }
        collect(oldDecision, old.policy)
        collect(newDecision, new.policy)
        // Rules whose result differs, or that apply under one version only.
        var oldStatus: [String: RuleStatus] = [:]
        for (i, s) in (oldDecision.statuses ?? []).enumerated() where i < old.policy.rules.count { oldStatus[old.policy.rules[i].name] = s }
        var newStatus: [String: RuleStatus] = [:]
        for (i, s) in (newDecision.statuses ?? []).enumerated() where i < new.policy.rules.count { newStatus[new.policy.rules[i].name] = s }
        func fired(_ s: RuleStatus?) -> Bool { if case .fired? = s { return true }; return false }
        for (name, s) in newStatus {
            if let o = oldStatus[name] { if o != s { involved.insert(name) } } else if fired(s) { involved.insert(name) }
        }
        for (name, s) in oldStatus where newStatus[name] == nil && fired(s) { involved.insert(name) }

        let beforeAll = oldExplainer.explain(c.oldValues, statuses: oldDecision.statuses ?? [])
        let afterAll = newExplainer.explain(c.newValues, statuses: newDecision.statuses ?? [])
        let oldNames = Set(old.policy.rules.map(\.name)), newNames = Set(new.policy.rules.map(\.name))
        return SampleClient(row: c.row, id: c.id, municipality: c.municipality,
                            gained: c.gained.map { keys[$0] }, lost: c.lost.map { keys[$0] },
                            outcomesBefore: c.before.map { keys[$0] }, outcomesAfter: c.after.map { keys[$0] },
                            before: beforeAll.filter { involved.contains($0.rule) }.map { relocated($0, old) },
                            after: afterAll.filter { involved.contains($0.rule) }.map { relocated($0, new) },
                            onlyBefore: old.policy.rules.map(\.name).filter { involved.contains($0) && !newNames.contains($0) },
                            onlyAfter: new.policy.rules.map(\.name).filter { involved.contains($0) && !oldNames.contains($0) })
    }

    /// An explanation with its locations shown as the version shows paths.
    func relocated(_ r: RuleExplanation, _ v: PolicyVersion) -> RuleExplanation {
        guard let rewrite = v.pathRewrite else { return r }
        var out = r
        func fix(_ l: SourceLocation?) -> SourceLocation? {
            guard var l, l.path.hasPrefix(rewrite.from) else { return l }
            l.path = v.displayPath(l.path)
            return l
        }
        func fixCondition(_ c: ConditionExplanation?) -> ConditionExplanation? {
            guard var c else { return nil }
            c.location = fix(c.location)
            c.parts = c.parts.compactMap { fixCondition($0) }
            return c
        }
        out.location = fix(r.location)
        out.condition = fixCondition(r.condition)
        out.exceptionCondition = fixCondition(r.exceptionCondition)
        return out
    }

    /// Targets and goal verdicts for the period under both versions.
    func compareGoals(period: Period, clients: String, note: (DataIssue) -> Void) -> GoalDiff {
        let before = GoalRun.run(policy: old.policy, period: period, actuals: actuals, clients: clients, asOf: asOf,
                                 paramOverrides: old.paramOverrides)
        let after = GoalRun.run(policy: new.policy, period: period, actuals: actuals, clients: clients, asOf: asOf,
                                paramOverrides: new.paramOverrides)
        for i in before.issues + after.issues { note(i) }
        let oldReport = GoalReport(policy: old.policy, evaluation: before.evaluation, language: .en)
        let newReport = GoalReport(policy: new.policy, evaluation: after.evaluation, language: .en)
        let oldFormatter = ValueFormatter(policy: old.policy), newFormatter = ValueFormatter(policy: new.policy)

        func results(_ e: GoalEvaluation, _ p: Policy) -> [(name: String, result: TargetResult)] {
            e.goals.flatMap { g in g.targets.compactMap { r in r.target < p.targets.count ? (p.targets[r.target].name, r) : nil } }
        }
        let oldResults = Dictionary(results(before.evaluation, old.policy).map { ($0.name, $0.result) }, uniquingKeysWith: { a, _ in a })
        let newResults = results(after.evaluation, new.policy)
        func text(_ v: Value?, _ r: GoalReport, _ f: ValueFormatter, _ t: TargetDef?) -> String {
            guard let v else { return "–" }
            var s = f.text(r.roundedForDisplay(v))
            if let t, t.unit == .number, let u = t.unitLabel { s += " \(u)" }
            return s
        }
        func isCount(_ t: TargetDef?, _ v: Value?) -> Bool {
            guard let t, t.measured != nil, case .int? = v else { return false }
            return true
        }
        var statusChanges: [TargetChange] = []
        var actualChanges: [TargetChange] = []
        var seen = Set<String>()
        for (name, r) in newResults where seen.insert(name).inserted {
            let t = new.policy.target(named: name)
            let goal = t.flatMap { $0.goal < new.policy.goals.count ? new.policy.goals[$0.goal].name : nil } ?? ""
            let o = oldResults[name]
            let ot = old.policy.target(named: name)
            let change = TargetChange(goal: goal, target: name, label: t?.label, statusBefore: o?.status, statusAfter: r.status,
                                      actualBefore: o?.actual, actualAfter: r.actual,
                                      actualBeforeText: text(o?.actual, oldReport, oldFormatter, ot),
                                      actualAfterText: text(r.actual, newReport, newFormatter, t),
                                      isCount: isCount(t, r.actual) || isCount(ot, o?.actual))
            if change.statusChanged { statusChanges.append(change) } else if o?.actual != r.actual { actualChanges.append(change) }
        }
        for (name, r) in results(before.evaluation, old.policy) where !seen.contains(name) {
            seen.insert(name)
            let t = old.policy.target(named: name)
            let goal = t.flatMap { $0.goal < old.policy.goals.count ? old.policy.goals[$0.goal].name : nil } ?? ""
            statusChanges.append(TargetChange(goal: goal, target: name, label: t?.label,
                                              statusBefore: r.status, statusAfter: nil, actualBefore: r.actual, actualAfter: nil,
                                              actualBeforeText: text(r.actual, oldReport, oldFormatter, t), actualAfterText: "–",
                                              isCount: isCount(t, r.actual)))
        }
        var goals: [GoalChange] = []
        var oldGoals: [String: GoalResult] = [:]
        for g in before.evaluation.goals where g.goal < old.policy.goals.count { oldGoals[old.policy.goals[g.goal].name] = g }
        var seenGoals = Set<String>()
        for g in after.evaluation.goals where g.goal < new.policy.goals.count {
            let def = new.policy.goals[g.goal]
            seenGoals.insert(def.name)
            let o = oldGoals[def.name]
            if o == nil || o?.verdict != g.verdict {
                goals.append(GoalChange(goal: def.name, label: def.label, verdictBefore: o?.verdict, verdictAfter: g.verdict,
                                        existsBefore: o != nil, existsAfter: true))
            }
        }
        for g in before.evaluation.goals where g.goal < old.policy.goals.count && !seenGoals.contains(old.policy.goals[g.goal].name) {
            let def = old.policy.goals[g.goal]
            goals.append(GoalChange(goal: def.name, label: def.label, verdictBefore: g.verdict, verdictAfter: nil,
                                    existsBefore: true, existsAfter: false))
        }
        return GoalDiff(period: period, targets: statusChanges + actualChanges, goals: goals)
    }
}
