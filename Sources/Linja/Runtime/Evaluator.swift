/// The compiled evaluator: a policy compiled for one date, deciding clients
/// packed as slots. Not thread-safe; make one per thread (they may share a
/// `Program`).
public final class Evaluator {
    public let policy: Policy
    public let program: Program
    let vm: VM
    var gives: [Give] = []
    let municipalitySlot: Int

    public init(policy: Policy, program: Program) {
        self.policy = policy
        self.program = program
        self.vm = VM(program: program, record: policy.record ?? RecordType(name: "client", label: nil, fields: [], span: .none))
        self.municipalitySlot = program.municipalitySlot ?? -1
        gives.reserveCapacity(16)
    }

    public convenience init(policy: Policy, asOf: Day, paramOverrides: [Int: Value] = [:]) {
        self.init(policy: policy, program: Compiler.compile(policy, asOf: asOf, paramOverrides: paramOverrides))
    }

    /// Decides one client. `trace` fills each rule's status.
    public func decide(row: UnsafePointer<Int64>, texts: [String], trace: Bool = false) throws -> Decision {
        var statuses: [RuleStatus]? = trace ? Array(repeating: .inactive, count: policy.rules.count) : nil
        try collect(row: row, texts: texts, statuses: &statuses)
        return Decision(outcomes: Decision.resolve(gives, rules: policy.rules), statuses: statuses)
    }

    /// The hot path: the gives for one client, left in `gives` (see `lastGives`).
    @inline(__always)
    func collect(row: UnsafePointer<Int64>, texts: [String], statuses: inout [RuleStatus]?) throws {
        gives.removeAll(keepingCapacity: true)
        vm.begin(row: row, texts: texts)
        let m = municipalitySlot >= 0 ? Int(row[municipalitySlot]) : -1
        for cr in program.rules {
            if let scope = cr.scope, !scope.contains(m) {
                statuses?[cr.rule] = .outOfScope
                continue
            }
            if let c = cr.condition {
                let v = vm.run(c)
                if let f = vm.failure { throw f }
                if v != 1 {
                    statuses?[cr.rule] = .conditionFalse
                    continue
                }
            }
            var excepted = -1
            for (k, ex) in cr.exceptions.enumerated() {
                let v = vm.run(ex)
                if let f = vm.failure { throw f }
                if v == 1 { excepted = k; break }
            }
            if excepted >= 0 {
                statuses?[cr.rule] = .exception(excepted)
                continue
            }
            var chosen: Int?
            if m >= 0, m < cr.variantOrder.count {
                for vi in cr.variantOrder[m] {
                    if let c = cr.variants[vi].condition {
                        let v = vm.run(c)
                        if let f = vm.failure { throw f }
                        if v != 1 { continue }
                    }
                    chosen = vi
                    break
                }
            }
            statuses?[cr.rule] = .fired(variant: chosen)
            let outs = chosen.map { cr.variants[$0].outcomes } ?? cr.outcomes
            for o in outs {
                gives.append(Give(outcome: Int32(o.outcome), destination: Int32(o.destination ?? -1), rule: Int32(cr.rule)))
            }
        }
    }

    /// Decides and counts, without building a `Decision`: for summaries and benchmarks.
    @inline(__always)
    public func decideGives(row: UnsafePointer<Int64>, texts: [String]) throws -> ArraySlice<Give> {
        var none: [RuleStatus]? = nil
        try collect(row: row, texts: texts, statuses: &none)
        return gives[...]
    }

    /// Decides a client given as values (tests, the REPL).
    public func decide(_ values: [Value], trace: Bool = false) throws -> Decision {
        guard let rec = policy.record else { return Decision(outcomes: [], statuses: nil) }
        var batch = ClientBatch(width: rec.fields.count)
        batch.append(values, record: rec)
        return try batch.slots.withUnsafeBufferPointer { p in
            guard let base = p.baseAddress else { return Decision(outcomes: [], statuses: nil) }
            return try decide(row: base, texts: batch.texts, trace: trace)
        }
    }

    /// Evaluates a compiled function (an aggregate filter) for a client.
    public func value(of f: Function, row: UnsafePointer<Int64>, texts: [String]) throws -> Int64 {
        vm.begin(row: row, texts: texts)
        let v = vm.run(f)
        if let fail = vm.failure { throw fail }
        return v
    }
}

/// The reference decision procedure: rules walked one by one with the
/// reference evaluator. Slow and plain; the compiled evaluator must agree
/// with it on every decision and every rule's status.
public struct ReferenceDecider {
    public let policy: Policy
    public let context: EvalContext

    public init(policy: Policy, asOf: Day, paramOverrides: [Int: Value] = [:]) {
        self.policy = policy
        var params = policy.params.map { $0.value(on: asOf) }
        for (i, v) in paramOverrides where i < params.count { params[i] = v }
        self.context = EvalContext(asOf: asOf, params: params, lets: policy.lets.map(\.expr),
                                   groupSets: policy.groups.map(\.members) + policy.areas.map(\.municipalities))
    }

    public func decide(_ client: [Value]) throws -> Decision {
        var ev = ReferenceEvaluator(context: context, client: client)
        var statuses: [RuleStatus] = []
        var gives: [Give] = []
        let mslot = policy.record?.fields.first { $0.type.base == .municipality }?.slot
        var municipality = -1
        if let s = mslot, s < client.count, case .municipality(let m) = client[s] { municipality = m }
        guard let asOf = context.asOf else { return Decision(outcomes: [], statuses: nil) }
        for rule in policy.rules {
            if !rule.isActive(on: asOf) { statuses.append(.inactive); continue }
            if !rule.applies(in: municipality) { statuses.append(.outOfScope); continue }
            if let c = rule.condition, !(try ev.evalBool(c)) { statuses.append(.conditionFalse); continue }
            var excepted: Int?
            for (k, ex) in rule.exceptions.enumerated() where try ev.evalBool(ex.condition) { excepted = k; break }
            if let k = excepted { statuses.append(.exception(k)); continue }
            var chosen: Int?
            for vi in rule.variantOrder[municipality] ?? [] {
                let v = rule.variants[vi]
                if let c = v.condition, !(try ev.evalBool(c)) { continue }
                chosen = vi
                break
            }
            statuses.append(.fired(variant: chosen))
            for o in chosen.map({ rule.variants[$0].outcomes }) ?? rule.outcomes {
                gives.append(Give(outcome: Int32(o.outcome), destination: Int32(o.destination ?? -1), rule: Int32(rule.id)))
            }
        }
        return Decision(outcomes: Decision.resolve(gives, rules: policy.rules), statuses: statuses)
    }
}
