import LinjaBase
import LinjaSyntax
import LinjaModel

/// The reference decision procedure: rules walked one by one with the
/// reference evaluator. Slow and plain; the compiled evaluator must agree
/// with it on every decision and every rule's status.
public struct ReferenceDecider {
    public let policy: Policy
    public let context: EvalContext

    public init(policy: Policy, asOf: Day, paramOverrides: [Int: Value] = [:]) {
        self.policy = policy
        self.context = EvalContext(policy: policy, asOf: asOf, paramOverrides: paramOverrides)
    }

    public func decide(_ client: [Value]) throws -> Decision {
        var ev = ReferenceEvaluator(context: context, client: client)
        var statuses: [RuleStatus] = []
        var gives: [Give] = []
        let mslot = policy.record?.fields.first { $0.type.base == .municipality }?.slot
        var municipality = -1
        if let s = mslot, s < client.count, case .municipality(let m) = client[s] { municipality = m }
        guard let asOf = context.asOf else { return Decision(outcomes: [], statuses: nil) }
        // A date the record declares `not after as_of` that is after it: not decided.
        for f in policy.record?.fields ?? [] where f.notAfterAsOf != nil {
            if f.slot < client.count, case .date(let d) = client[f.slot], d > asOf { throw f.afterAsOf(d, asOf: asOf) }
        }
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
