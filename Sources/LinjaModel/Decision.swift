import LinjaBase
import LinjaSyntax

/// What a rule did for one client: the structural part of an explanation,
/// which both evaluators must agree on.
public enum RuleStatus: Equatable, Sendable {
    /// The rule gave its outcomes (from a variant, or its own `then`).
    case fired(variant: Int?)
    /// The client's municipality is outside the rule's scope.
    case outOfScope
    /// The rule is not in force on `as_of`.
    case inactive
    /// The condition did not hold.
    case conditionFalse
    /// An exception applied (its index).
    case exception(Int)
}

/// One outcome a client gets, with the rules that give it.
public struct DecidedOutcome: Equatable, Sendable {
    public var outcome: Int
    public var destination: Int?
    /// The rule that decided it, then any others that gave the same.
    public var rules: [Int]
    /// Rules that gave another destination and lost on priority.
    public var overruled: [Int]

    public init(outcome: Int, destination: Int?, rules: [Int], overruled: [Int]) {
        self.outcome = outcome
        self.destination = destination
        self.rules = rules
        self.overruled = overruled
    }
}

public struct Decision: Equatable, Sendable {
    /// Sorted by outcome id.
    public var outcomes: [DecidedOutcome]
    /// One per rule of the policy, in policy order, when asked for.
    public var statuses: [RuleStatus]?

    public init(outcomes: [DecidedOutcome], statuses: [RuleStatus]?) {
        self.outcomes = outcomes
        self.statuses = statuses
    }

    public func has(_ outcome: Int, destination: Int? = nil) -> Bool {
        outcomes.contains { $0.outcome == outcome && (destination == nil || $0.destination == destination) }
    }
}

/// One giving of an outcome by a rule, before priorities are applied.
public struct Give: Sendable, Equatable {
    public var outcome: Int32
    public var destination: Int32
    public var rule: Int32

    package init(outcome: Int32, destination: Int32, rule: Int32) {
        self.outcome = outcome
        self.destination = destination
        self.rule = rule
    }
}

extension Decision {
    /// Resolves gives into outcomes: the same destination from several rules
    /// is one outcome; different destinations go to the rule that says it
    /// wins (`over`), else to the earlier rule.
    public static func resolve(_ gives: [Give], rules: [Rule]) -> [DecidedOutcome] {
        if gives.isEmpty { return [] }
        var out: [DecidedOutcome] = []
        // By outcome, gives of one outcome in the order given (stable).
        var sorted = gives
        if sorted.count <= 32 {
            for i in sorted.indices.dropFirst() {
                let x = sorted[i]
                var j = i
                while j > 0, sorted[j - 1].outcome > x.outcome {
                    sorted[j] = sorted[j - 1]
                    j -= 1
                }
                sorted[j] = x
            }
        } else {
            sorted = gives.enumerated().sorted { ($0.element.outcome, $0.offset) < ($1.element.outcome, $1.offset) }.map(\.element)
        }
        var i = 0
        while i < sorted.count {
            var j = i
            while j < sorted.count, sorted[j].outcome == sorted[i].outcome { j += 1 }
            let group = sorted[i..<j]
            var winner = group[group.startIndex]
            for g in group where g.destination != winner.destination {
                if Int(g.rule) < rules.count, rules[Int(g.rule)].over.contains(Int(winner.rule)) { winner = g }
            }
            var agree: [Int] = [Int(winner.rule)]
            var lost: [Int] = []
            for g in group where g.rule != winner.rule {
                if g.destination == winner.destination { agree.append(Int(g.rule)) } else { lost.append(Int(g.rule)) }
            }
            out.append(DecidedOutcome(outcome: Int(winner.outcome), destination: winner.destination < 0 ? nil : Int(winner.destination),
                                      rules: agree, overruled: lost))
            i = j
        }
        return out
    }
}
