// `:why` and `:why-not`: explanations of one outcome for the current
// client, and what would have to change for a rule to give it.
//
// The "would apply if" lines follow from the conditions alone: a false
// comparison says which side would have to be over, under or equal to
// what, a false bool what it would have to be. Nothing is claimed about
// what else would change with it (a later date changes every span).

import Linja

/// What would make a condition come out the other way.
indirect enum Change: Equatable {
    /// It already does.
    case none
    /// One thing that would have to be different ("unemployment were over 3 months: it is 2 months 28 days").
    case leaf(String)
    /// Every one of these.
    case all([Change])
    /// Any one of these.
    case any([Change])

    /// Nested lists of one kind flattened, empty parts dropped.
    var simplified: Change {
        switch self {
        case .none, .leaf: return self
        case .all(let items):
            var out: [Change] = []
            for item in items.map(\.simplified) {
                switch item {
                case .none: continue
                case .all(let inner): out += inner
                default: out.append(item)
                }
            }
            if out.isEmpty { return .none }
            return out.count == 1 ? out[0] : .all(out)
        case .any(let items):
            var out: [Change] = []
            for item in items.map(\.simplified) {
                switch item {
                case .none: return .none
                case .any(let inner): out += inner
                default: out.append(item)
                }
            }
            if out.isEmpty { return .none }
            return out.count == 1 ? out[0] : .any(out)
        }
    }

    /// "would apply if …" lines.
    func lines(_ subject: String, indent: String) -> [String] {
        switch simplified {
        case .none: return []
        case .leaf(let s): return [indent + "\(subject) if " + s]
        case .all(let items): return [indent + "\(subject) if all of these changed:"] + items.flatMap { $0.bullets(indent + "  ") }
        case .any(let items): return [indent + "\(subject) if any of these changed:"] + items.flatMap { $0.bullets(indent + "  ") }
        }
    }

    private func bullets(_ indent: String) -> [String] {
        switch self {
        case .none: return []
        case .leaf(let s): return [indent + "- " + s]
        case .all(let items): return [indent + "- all of:"] + items.flatMap { $0.bullets(indent + "  ") }
        case .any(let items): return [indent + "- any of:"] + items.flatMap { $0.bullets(indent + "  ") }
        }
    }
}

/// Works out, from a condition and the client's values, what would make it
/// true (or false).
struct ChangeFinder {
    let policy: Policy
    let client: [Value]
    let formatter: ValueFormatter
    var evaluator: ReferenceEvaluator

    init(policy: Policy, context: EvalContext, client: [Value]) {
        self.policy = policy
        self.client = client
        self.formatter = ValueFormatter(policy: policy)
        self.evaluator = ReferenceEvaluator(context: context, client: client)
    }

    mutating func value(_ e: TExpr) -> Result<Value, EvalError> {
        do {
            return .success(try evaluator.eval(e))
        } catch let error as EvalError {
            return .failure(error)
        } catch {
            return .failure(EvalError(message: "\(error)", span: e.span))
        }
    }

    func text(_ e: TExpr) -> String { ReplSession.oneLine(e.span.text) }

    /// A value in a sentence: spans as their length only.
    func short(_ v: Value) -> String {
        switch v {
        case .span(let s, let e):
            let (m, d) = calendarSpan(from: s, to: e)
            var parts: [String] = []
            if m != 0 { parts.append("\(m) month\(abs(m) == 1 ? "" : "s")") }
            if d != 0 || m == 0 { parts.append("\(d) day\(abs(d) == 1 ? "" : "s")") }
            return parts.joined(separator: " ")
        case .text(let s): return ReplSession.quoted(s)
        case .missing: return "missing"
        default: return formatter.text(v)
        }
    }

    /// What would make `e` evaluate to `want`.
    mutating func changes(_ e: TExpr, want: Bool, depth: Int = 0) -> Change {
        let current: Value
        switch value(e) {
        case .success(let v): current = v
        case .failure(let error): return .leaf("`\(text(e))` could be evaluated (now: \(error.message))")
        }
        if current == .bool(want) { return .none }
        guard depth < 12 else { return .leaf("`\(text(e))` were \(want): it is \(short(current))") }
        switch e.kind {
        case .and(let a, let b):
            let parts = [changes(a, want: want, depth: depth + 1), changes(b, want: want, depth: depth + 1)]
            return want ? .all(parts) : .any(parts)
        case .or(let a, let b):
            let parts = [changes(a, want: want, depth: depth + 1), changes(b, want: want, depth: depth + 1)]
            return want ? .any(parts) : .all(parts)
        case .not(let a):
            return changes(a, want: !want, depth: depth + 1)
        case .unwrap(let a):
            return changes(a, want: want, depth: depth + 1)
        case .letRef(let l) where l < policy.lets.count:
            return changes(policy.lets[l].expr, want: want, depth: depth + 1)
        case .otherwise(let a, let fallback):
            guard case .success(let inner) = value(a) else { return .leaf("`\(text(e))` were \(want)") }
            if inner.isMissing {
                let present = Change.leaf(presence(a) + ", and then `\(text(a))` were \(want)")
                if fieldsRead(fallback).isEmpty { return present }
                return .any([present, changes(fallback, want: want, depth: depth + 1)])
            }
            return changes(a, want: want, depth: depth + 1)
        case .compare(let op, let a, let b):
            return comparison(op, a, b, want: want)
        case .isMissing(let a, let negated):
            // `a is missing` (negated: `a is present`) would have to be `want`.
            let needMissing = want != negated
            guard case .success(let v) = value(a) else { return .leaf("`\(text(e))` were \(want)") }
            return .leaf(needMissing ? "\(text(a)) were missing: it is \(short(v))" : presence(a))
        case .inSet(let a, let set):
            guard case .success(let v) = value(a), case .success(let s) = value(set) else { return .leaf("`\(text(e))` were \(want)") }
            if v.isMissing { return .leaf(presence(a)) }
            return .leaf("\(text(a)) were \(want ? "" : "not ")one of \(short(s)): it is \(short(v))")
        case .inGroup(let a, let g):
            guard case .success(let v) = value(a) else { return .leaf("`\(text(e))` were \(want)") }
            if v.isMissing { return .leaf(presence(a)) }
            return .leaf("\(text(a)) were \(want ? "" : "not ")in \(text(g)): it is \(short(v))")
        case .field:
            if current.isMissing { return .leaf(presence(e)) }
            return .leaf("\(text(e)) were \(want): it is \(short(current))")
        case .constant:
            return .leaf("`\(text(e))` were \(want), which it never is")
        default:
            if current.isMissing { return .leaf(presence(e)) }
            return .leaf("`\(text(e))` were \(want): it is \(short(current))")
        }
    }

    /// "client.unemployed_since had a value: it is missing", naming the missing fields `e` reads.
    mutating func presence(_ e: TExpr) -> String {
        let missing = fieldsRead(e).sorted().filter { $0 < client.count && client[$0].isMissing }
        let names = missing.compactMap { slot in policy.record?.fields.first { $0.slot == slot }.map { "\(policy.record?.name ?? "client").\($0.name)" } }
        if names.isEmpty { return "\(text(e)) had a value: it is missing" }
        return names.joined(separator: " and ") + " had a value: " + (names.count == 1 ? "it is" : "they are") + " missing"
    }

    func fieldsRead(_ e: TExpr) -> Set<Int> { ReplSession.fieldsRead(e, policy: policy) }

    /// `a op b` would have to be `want`.
    mutating func comparison(_ op: BinaryOp, _ a: TExpr, _ b: TExpr, want: Bool) -> Change {
        guard case .success(let va) = value(a), case .success(let vb) = value(b) else {
            return .leaf("`\(text(a)) \(op.rawValue) \(text(b))` were \(want)")
        }
        if va.isMissing { return .leaf(presence(a) + ", and then `\(text(a)) \(op.rawValue) \(text(b))` were \(want)") }
        if vb.isMissing { return .leaf(presence(b) + ", and then `\(text(a)) \(op.rawValue) \(text(b))` were \(want)") }
        let needed = want ? op : op.negated
        // Say it of the side that depends on the client, against the other's value.
        if fieldsRead(b).isEmpty {
            return .leaf("\(text(a)) were \(words(needed, va))\(short(vb)): it is \(short(va))")
        }
        if fieldsRead(a).isEmpty {
            return .leaf("\(text(b)) were \(words(needed.mirrored, vb))\(short(va)): it is \(short(vb))")
        }
        return .leaf("\(text(a)) were \(words(needed, va))\(text(b)) (\(short(vb))): it is \(short(va))")
    }

    /// "over ", "on or before ", "not " … as fits the value compared, with
    /// its space; empty for plain equality ("were unemployed").
    func words(_ op: BinaryOp, _ v: Value) -> String {
        let isDate: Bool = { if case .date = v { return true }; return false }()
        switch op {
        case .gt: return isDate ? "after " : "over "
        case .ge: return isDate ? "on or after " : "at least "
        case .lt: return isDate ? "before " : "under "
        case .le: return isDate ? "on or before " : "at most "
        case .eq:
            switch v {
            case .span, .duration: return "exactly "
            case .date: return "on "
            default: return ""
            }
        case .neq: return "not "
        default: return op.rawValue + " "
        }
    }
}

extension ReplSession {
    /// An outcome asked about: `career_guidance`, `assess career_guidance`,
    /// `refer job_search_documents to area_coach`.
    struct OutcomeQuery {
        var outcome: OutcomeDef
        var destination: Int?

        var text: String {
            let base = "\(outcome.kind.rawValue) \(outcome.name)"
            guard let d = destination, d < outcome.destinations.count else { return base }
            return base + " to \(outcome.destinations[d])"
        }

        func matches(_ g: GivenOutcome) -> Bool {
            g.outcome == outcome.id && (destination == nil || g.destination == destination)
        }
    }

    func parseOutcome(_ rest: String, command: String) -> OutcomeQuery? {
        var args = Self.words(rest)
        var kind: OutcomeKind?
        if let first = args.first, let k = OutcomeKind(rawValue: first), args.count > 1 {
            kind = k
            args.removeFirst()
        }
        guard let name = args.first else {
            let example = policy.outcomes.first.map(\.name) ?? "career_guidance"
            fail("give an outcome, e.g. :\(command) \(example)")
            return nil
        }
        guard let outcome = policy.outcome(named: name) else {
            if !hasPolicy && policy.outcomes.isEmpty {
                fail("no policy loaded: load one with :load PATH")
                return nil
            }
            var hint = Suggest.closest(name, among: policy.outcomes.map(\.name)).map { "; did you mean `\($0)`?" } ?? ""
            if let rule = policy.rule(named: name) {
                let gives = outcomeTexts(rule)
                hint = "; `\(name)` is a rule" + (gives.isEmpty ? "" : ", which gives " + gives.joined(separator: ", "))
            }
            fail("no outcome `\(name)`\(hint)")
            return nil
        }
        if let kind, kind != outcome.kind {
            fail("`\(name)` is `\(outcome.kind.rawValue) \(name)`, not `\(kind.rawValue) \(name)`")
            return nil
        }
        var destination: Int?
        if args.count >= 2 {
            guard args.count == 3, args[1] == "to" else {
                fail("expected `to DESTINATION` after `\(name)`, e.g. :\(command) \(outcome.kind.rawValue) \(name)"
                     + (outcome.destinations.first.map { " to \($0)" } ?? ""))
                return nil
            }
            guard let d = outcome.destinations.firstIndex(of: args[2]) else {
                let list = outcome.destinations.isEmpty ? "it has none" : "its destinations are " + outcome.destinations.joined(separator: ", ")
                fail("`\(name)` has no destination `\(args[2])`: \(list)")
                return nil
            }
            destination = d
        }
        return OutcomeQuery(outcome: outcome, destination: destination)
    }

    /// `:why OUTCOME`: the rules that give it, with the values that decided.
    func why(_ rest: String) {
        guard let query = parseOutcome(rest, command: "why"), let decision = decideCurrent(), let statuses = decision.statuses else { return }
        let given = decision.outcomes.filter { $0.outcome == query.outcome.id && (query.destination == nil || $0.destination == query.destination) }
        guard !given.isEmpty else {
            say("\(clientTitle()) does not get \(query.text) as of \(asOf).")
            explainWhyNot(query, decision: decision, statuses: statuses)
            return
        }
        let explanations = explainer().explain(client, statuses: statuses)
        var s = ""
        for g in given {
            s += "\(clientTitle()) gets \(decidedText(g)) as of \(asOf):\n"
            for r in g.rules where r < explanations.count && r < policy.rules.count {
                s += ruleText(policy.rules[r], explanations[r])
            }
            for r in g.overruled where r < policy.rules.count {
                s += "  rule \(policy.rules[r].name) would give it to another destination, but rule "
                    + (g.rules.first.map { policy.rules[$0].name } ?? "?") + " wins\n"
            }
        }
        output(s)
    }

    /// `:why-not OUTCOME`: each rule that could give it and why it did not.
    func whyNot(_ rest: String) {
        guard let query = parseOutcome(rest, command: "why-not"), let decision = decideCurrent(), let statuses = decision.statuses else { return }
        let given = decision.outcomes.filter { $0.outcome == query.outcome.id && (query.destination == nil || $0.destination == query.destination) }
        if let g = given.first {
            let rules = g.rules.compactMap { $0 < policy.rules.count ? policy.rules[$0].name : nil }
            say("\(clientTitle()) gets \(decidedText(g)) as of \(asOf), from rule \(rules.joined(separator: ", rule ")); :why \(query.outcome.name) says why")
            return
        }
        say("\(clientTitle()) does not get \(query.text) as of \(asOf).")
        explainWhyNot(query, decision: decision, statuses: statuses)
    }

    func explainWhyNot(_ query: OutcomeQuery, decision: Decision, statuses: [RuleStatus]) {
        let candidates = policy.rules.filter { rule in (rule.outcomes + rule.variants.flatMap(\.outcomes)).contains(where: query.matches) }
        guard !candidates.isEmpty else {
            say("No rule gives \(query.text).")
            return
        }
        let context = context(for: policy)
        let explanations = Explainer(policy: policy, context: context).explain(client, statuses: statuses)
        var s = ""
        for rule in candidates where rule.id < statuses.count && rule.id < explanations.count {
            var finder = ChangeFinder(policy: policy, context: context, client: client)
            let status = statuses[rule.id]
            var details = ""
            var needed: [Change] = []
            switch status {
            case .outOfScope:
                needed.append(scopeChange(rule))
                if let c = rule.condition {
                    details += conditionText(explainCondition(c, context: context), lead: "when")
                    needed.append(finder.changes(c, want: true))
                }
                needed += exceptionChanges(rule, &finder, context: context, show: &details)
            case .inactive:
                var when: [String] = []
                if let f = rule.from { when.append("from \(f)") }
                if let u = rule.until { when.append("until \(u)") }
                details += "  it would be in force on an as_of \(when.joined(separator: " ")) (:as-of DATE)\n"
            case .conditionFalse:
                if let c = rule.condition { needed.append(finder.changes(c, want: true)) }
                needed += exceptionChanges(rule, &finder, context: context, show: &details)
            case .exception(let k):
                for (i, ex) in rule.exceptions.enumerated() where i >= k {
                    if case .success(.bool(true)) = finder.value(ex.condition) {
                        needed.append(finder.changes(ex.condition, want: false))
                    }
                }
            case .fired(let variant):
                let outs = variant.map { rule.variants[$0].outcomes } ?? rule.outcomes
                let gives = outs.map(givenText)
                details += "  it gives " + (gives.isEmpty ? "nothing" : gives.joined(separator: ", ")) + " here, not \(query.text)\n"
            }
            s += ruleText(rule, explanations[rule.id], details: details)
            for line in Change.all(needed).lines("would apply", indent: "  ") { s += line + "\n" }
        }
        if let line = timeAloneText(query) { s += line + "\n" }
        output(s)
    }

    /// The municipality would have to be in the rule's scope.
    func scopeChange(_ rule: Rule) -> Change {
        let formatter = ValueFormatter(policy: policy)
        guard let field = policy.record?.fields.first(where: { $0.type.base == .municipality }) else {
            return .leaf("the client were in \(rule.scopeText ?? "its scope")")
        }
        let current = field.slot < client.count ? formatter.text(client[field.slot]) : "missing"
        let members = (rule.scope?.ids ?? []).compactMap { $0 < policy.municipalities.count ? policy.municipalities[$0].name : nil }
        let list = members.count <= 8 ? members.map { $0.contains("-") || $0.contains(" ") ? "\"\($0)\"" : $0 }.joined(separator: ", ")
            : (rule.scopeText ?? "its scope")
        return .leaf("\(policy.record?.name ?? "client").\(field.name) were \(members.count == 1 ? "" : "one of ")\(list): it is \(current)")
    }

    /// Exceptions that hold now and would keep the rule from applying, shown and required false.
    func exceptionChanges(_ rule: Rule, _ finder: inout ChangeFinder, context: EvalContext, show s: inout String) -> [Change] {
        var out: [Change] = []
        for ex in rule.exceptions {
            guard case .success(.bool(true)) = finder.value(ex.condition) else { continue }
            s += "  and then its exception would apply: " + (ex.label ?? Self.oneLine(ex.condition.span.text)) + "\n"
            s += conditionText(explainCondition(ex.condition, context: context), lead: "unless")
            out.append(finder.changes(ex.condition, want: false))
        }
        return out
    }

    func explainCondition(_ e: TExpr, context: EvalContext) -> ConditionExplanation {
        var evaluator = ReferenceEvaluator(context: context, client: client)
        return Explainer(policy: policy, context: context).node(e, &evaluator, depth: 0)
    }

    /// A rule's heading, status, conditions with their values, `details`, and sources.
    func ruleText(_ rule: Rule, _ r: RuleExplanation, details: String = "") -> String {
        let place = r.location.map { $0.path == Self.inputPath ? ", typed in this session" : ", \($0)" } ?? ""
        var s = "rule \(rule.name)" + (rule.label.map { " \"\($0)\"" } ?? "") + place + "\n"
        s += "  \(r.summary)"
        if !r.outcomes.isEmpty { s += " → " + r.outcomes.joined(separator: ", ") }
        s += "\n"
        if let scope = rule.scopeText, r.status != .outOfScope {
            s += "  in \(scope): \(clientTitle())\n"
        }
        if let c = r.condition { s += conditionText(c, lead: "when") }
        if let c = r.exceptionCondition { s += conditionText(c, lead: "unless") }
        if case .fired = r.status {
            // The exceptions that did not apply, with their values.
            let context = context(for: policy)
            for ex in rule.exceptions {
                s += conditionText(explainCondition(ex.condition, context: context), lead: "unless")
            }
        }
        s += details
        for source in r.sources { s += "  source: \(source)\n" }
        return s
    }

    /// A condition and its parts, each with its value and the values it read.
    func conditionText(_ c: ConditionExplanation, lead: String?, indent: String = "    ") -> String {
        var s = indent + (lead.map { $0 + " " } ?? "") + Self.oneLine(c.text) + "  → " + c.value + "\n"
        if !c.facts.isEmpty {
            s += indent + "    " + c.facts.map { "\(Self.oneLine($0.expression)) = \($0.value)" }.joined(separator: "; ") + "\n"
        }
        for p in c.parts { s += conditionText(p, lead: nil, indent: indent + "  ") }
        return s
    }
}
