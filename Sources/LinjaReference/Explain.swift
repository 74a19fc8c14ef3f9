import LinjaBase
import LinjaSyntax
import LinjaModel

/// Explanations: for each rule, what decided it, with the values that did.

public struct Fact: Sendable, Equatable {
    /// The expression as written (`client.unemployed_since`, `unemployment`).
    public var expression: String
    public var value: String
    public var json: JSON
}

/// A condition with its value and the values it read.
public struct ConditionExplanation: Sendable, Equatable {
    public var text: String
    public var location: SourceLocation?
    /// "true", "false" or "missing".
    public var value: String
    public var facts: [Fact]
    public var parts: [ConditionExplanation]
}

public struct RuleExplanation: Sendable, Equatable {
    public var rule: String
    public var label: String?
    public var location: SourceLocation?
    public var sources: [String]
    public var status: RuleStatus
    /// A readable account of the status.
    public var summary: String
    public var variant: String?
    public var exception: String?
    public var condition: ConditionExplanation?
    public var exceptionCondition: ConditionExplanation?
    public var outcomes: [String]
}

public struct Explainer {
    public let policy: Policy
    public let context: EvalContext
    let formatter: ValueFormatter

    public init(policy: Policy, context: EvalContext) {
        self.policy = policy
        self.context = context
        self.formatter = ValueFormatter(policy: policy)
    }

    public init(policy: Policy, asOf: Day, paramOverrides: [Int: Value] = [:]) {
        self.init(policy: policy, context: EvalContext(policy: policy, asOf: asOf, paramOverrides: paramOverrides))
    }

    /// Explains every rule for a client, given the rules' statuses.
    public func explain(_ client: [Value], statuses: [RuleStatus]) -> [RuleExplanation] {
        var ev = ReferenceEvaluator(context: context, client: client)
        return policy.rules.enumerated().map { i, rule in
            explain(rule, status: i < statuses.count ? statuses[i] : .inactive, client: client, ev: &ev)
        }
    }

    func outcomeText(_ g: GivenOutcome) -> String {
        let o = policy.outcomes[g.outcome]
        if let d = g.destination { return "\(o.kind.rawValue) \(o.name) to \(o.destinations[d])" }
        return "\(o.kind.rawValue) \(o.name)"
    }

    func explain(_ rule: Rule, status: RuleStatus, client: [Value], ev: inout ReferenceEvaluator) -> RuleExplanation {
        var ex = RuleExplanation(rule: rule.name, label: rule.label, location: rule.span.location, sources: rule.sources,
                                 status: status, summary: "", variant: nil, exception: nil, condition: nil,
                                 exceptionCondition: nil, outcomes: [])
        switch status {
        case .inactive:
            var when: [String] = []
            if let f = rule.from { when.append("from \(f)") }
            if let u = rule.until { when.append("until \(u)") }
            ex.summary = "not in force on \(context.asOf?.description ?? "?") (it applies \(when.joined(separator: " ")))"
        case .outOfScope:
            let mslot = policy.record?.fields.first { $0.type.base == .municipality }?.slot
            let m = mslot.flatMap { $0 < client.count ? formatter.text(client[$0]) : nil } ?? "?"
            ex.summary = "applies in \(rule.scopeText ?? "the area"), not in \(m)"
        case .conditionFalse:
            ex.summary = "its condition does not hold"
            ex.condition = rule.condition.map { node($0, &ev, depth: 0) }
        case .exception(let k):
            let e = rule.exceptions[k]
            ex.exception = e.label ?? e.condition.span.text
            ex.summary = "the exception applies: " + (e.label ?? e.condition.span.text)
            ex.condition = rule.condition.map { node($0, &ev, depth: 0) }
            ex.exceptionCondition = node(e.condition, &ev, depth: 0)
        case .fired(let variant):
            ex.condition = rule.condition.map { node($0, &ev, depth: 0) }
            if let v = variant {
                let rv = rule.variants[v]
                ex.variant = rv.scopeText
                ex.outcomes = rv.outcomes.map(outcomeText)
                ex.summary = "applies, with the variant for \(rv.scopeText)"
            } else {
                ex.outcomes = rule.outcomes.map(outcomeText)
                ex.summary = "applies"
            }
        }
        return ex
    }

    func valueText(_ v: Value) -> String {
        if case .bool(let b) = v { return b ? "true" : "false" }
        if v.isMissing { return "missing" }
        return formatter.text(v)
    }

    /// A condition node: and/or/not split into parts; a bool let shows its definition.
    public func node(_ e: TExpr, _ ev: inout ReferenceEvaluator, depth: Int) -> ConditionExplanation {
        let v = (try? ev.eval(e)) ?? .missing
        var n = ConditionExplanation(text: e.span.text, location: e.span.location, value: valueText(v), facts: [], parts: [])
        guard depth < 12 else { return n }
        switch e.kind {
        case .and, .or:
            // `a and b and c` reads as one list, not a nest of pairs.
            let isAnd: Bool = { if case .and = e.kind { return true }; return false }()
            var operands: [TExpr] = []
            func flatten(_ x: TExpr) {
                switch x.kind {
                case .and(let a, let b) where isAnd: flatten(a); flatten(b)
                case .or(let a, let b) where !isAnd: flatten(a); flatten(b)
                default: operands.append(x)
                }
            }
            flatten(e)
            n.parts = operands.map { node($0, &ev, depth: depth + 1) }
        case .not(let a):
            n.parts = [node(a, &ev, depth: depth + 1)]
        case .letRef(let l) where l < policy.lets.count && depth < 4:
            let def = policy.lets[l]
            var inner = node(def.expr, &ev, depth: depth + 1)
            inner.text = "\(def.name) = \(def.expr.span.text)"
            n.parts = [inner]
        default:
            n.facts = facts(e, &ev)
        }
        return n
    }

    /// The named values an expression reads: fields, lets, params, spans, calls.
    func facts(_ e: TExpr, _ ev: inout ReferenceEvaluator) -> [Fact] {
        var out: [Fact] = []
        var seen = Set<String>()
        func visit(_ x: TExpr) {
            switch x.kind {
            case .field, .letRef, .param, .since, .call, .asOf, .aggregate:
                let text = x.span.text
                guard seen.insert(text).inserted else { return }
                let v = (try? ev.eval(x)) ?? .missing
                out.append(Fact(expression: text, value: valueText(v), json: formatter.json(v)))
            case .unwrap(let a): visit(a)
            default: x.forEachChild(visit)
            }
        }
        visit(e)
        return out
    }

    // MARK: Rendering

    public static func text(_ r: RuleExplanation, indent: String = "    ") -> String {
        var s = ""
        for c in [r.condition, r.exceptionCondition].compactMap({ $0 }) {
            s += render(c, indent: indent, top: true)
        }
        return s
    }

    static func render(_ c: ConditionExplanation, indent: String, top: Bool) -> String {
        var s = indent + (top ? "when " : "") + TerminalText.visible(oneLine(c.text)) + "  → " + c.value + "\n"
        if !c.facts.isEmpty {
            // Values come from client data: control characters are shown as escapes.
            s += indent + "    " + c.facts.map { "\(TerminalText.visible(oneLine($0.expression))) = \(TerminalText.visible($0.value))" }.joined(separator: "; ") + "\n"
        }
        for p in c.parts { s += render(p, indent: indent + "  ", top: false) }
        return s
    }

    static func oneLine(_ s: String) -> String {
        var out = ""
        var lastSpace = false
        for ch in s {
            if ch == "\n" || ch == "\r" || ch == " " || ch == "\t" {
                if !lastSpace { out.append(" ") }
                lastSpace = true
            } else {
                out.append(ch)
                lastSpace = false
            }
        }
        return out
    }

    public static func json(_ c: ConditionExplanation) -> JSON {
        var pairs: [(String, JSON)] = [("condition", .string(oneLine(c.text))), ("value", .string(c.value))]
        if let l = c.location { pairs.append(("location", .string(l.description))) }
        if !c.facts.isEmpty {
            pairs.append(("values", .object(c.facts.map { (oneLine($0.expression), $0.json) })))
        }
        if !c.parts.isEmpty { pairs.append(("parts", .array(c.parts.map(json)))) }
        return .object(pairs)
    }

    public static func json(_ r: RuleExplanation) -> JSON {
        var pairs: [(String, JSON)] = [("rule", .string(r.rule))]
        if let l = r.label { pairs.append(("label", .string(l))) }
        if let loc = r.location { pairs.append(("location", .string(loc.description))) }
        pairs.append(("status", .string(statusName(r.status))))
        pairs.append(("summary", .string(r.summary)))
        if let v = r.variant { pairs.append(("variant", .string(v))) }
        if let e = r.exception { pairs.append(("exception", .string(e))) }
        if let c = r.condition { pairs.append(("when", json(c))) }
        if let c = r.exceptionCondition { pairs.append(("unless", json(c))) }
        if !r.sources.isEmpty { pairs.append(("source", .array(r.sources.map { .string($0) }))) }
        return .object(pairs)
    }

    public static func statusName(_ s: RuleStatus) -> String {
        switch s {
        case .fired: return "applied"
        case .outOfScope: return "out_of_scope"
        case .inactive: return "not_in_force"
        case .conditionFalse: return "condition_false"
        case .exception: return "exception"
        }
    }
}
