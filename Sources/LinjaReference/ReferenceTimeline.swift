import LinjaBase
import LinjaSyntax
import LinjaModel

/// Timelines with the reference decision procedure: at the days a
/// `ChangePlan` names (the REPL's `:due` and `:why-not`), or on every day of
/// the window (what the fast path is tested against).
public struct ReferenceTimeline {
    public let plan: ChangePlan
    let paramOverrides: [Int: Value]

    public init(plan: ChangePlan, paramOverrides: [Int: Value] = [:]) {
        self.plan = plan
        self.paramOverrides = paramOverrides
    }

    /// The decider of day `d` (made when asked: a plan may span years).
    func decider(_ d: Int) -> ReferenceDecider {
        ReferenceDecider(policy: plan.policy, asOf: plan.window.day(d), paramOverrides: paramOverrides)
    }

    /// Decided on `as_of` and on the days the plan's watches change for the client.
    public func timeline(_ client: [Value]) throws -> ClientTimeline {
        let days = plan.changeDays(client: client)
        return try build(client, days: days.map(\.day), watches: Dictionary(uniqueKeysWithValues: days.map { ($0.day, $0.watches) }))
    }

    /// Decided on every day of the window (no plan used but its dates).
    public func everyDay(_ client: [Value]) throws -> ClientTimeline {
        try build(client, days: Array(stride(from: 1, through: plan.window.length, by: 1)), watches: [:])
    }

    func build(_ client: [Value], days: [Int], watches: [Int: [Int]]) throws -> ClientTimeline {
        let start = try decider(0).decide(client)
        var previous = start.outcomes
        var steps: [ClientTimeline.Step] = []
        for d in days {
            let now = try decider(d).decide(client)
            if now.outcomes == previous { continue }
            previous = now.outcomes
            steps.append(ClientTimeline.Step(day: d, decision: Decision(outcomes: now.outcomes, statuses: nil), watches: watches[d] ?? []))
        }
        return ClientTimeline(start: Decision(outcomes: start.outcomes, statuses: nil), steps: steps)
    }
}
