import Foundation
import Linja

/// The language of a worklist's words and reasons.
public enum DueLanguage: String, Sendable, CaseIterable {
    case fi, en
}

/// Why something changes on a day, in words: from the watches of a
/// `ChangePlan` that change that day ("Työttömyyden kesto ylittää 3 kk",
/// "unemployment passes 3 months"). Finnish text uses the rule files' labels
/// and never their names; English text names the lets and fields.
public struct DueReasons {
    public let plan: ChangePlan
    public let language: DueLanguage
    let policy: Policy
    let formatter: ValueFormatter

    /// Values of client-independent sides by comparison and day.
    final class Cache {
        var others: [Key: Value] = [:]
        var texts: [TextKey: String] = [:]
    }
    struct TextKey: Hashable {
        var watch: Int
        var day: Int
        var anchor: Value
        var field: Int
    }
    struct Key: Hashable {
        var a: ObjectIdentifier
        var b: Int
        var c: Int
    }
    let cache = Cache()
    static let noFile = SourceFile(path: "", text: "")

    /// Per watch, the rules that read it; per outcome, the rules that can give it.
    let watchRules: [[Int]]
    let giversOf: [[Int]]
    let windowDates: [String]

    public init(plan: ChangePlan, language: DueLanguage) {
        self.plan = plan
        self.language = language
        self.policy = plan.policy
        self.watchRules = plan.watches.map(\.rules)
        self.windowDates = (0...plan.window.length).map { Self.date(plan.window.day($0)) }
        self.giversOf = plan.policy.outcomes.map { o in
            plan.policy.rules.filter { r in (r.outcomes + r.variants.flatMap(\.outcomes)).contains { $0.outcome == o.id } }.map(\.id)
        }
        self.formatter = ValueFormatter(policy: plan.policy, decimalComma: language == .fi, finnish: language == .fi)
    }

    var fi: Bool { language == .fi }

    /// A date as a Finnish reader writes it (and the English text too).
    public static func date(_ d: Day) -> String {
        // One conversion to the calendar: `description` is yyyy-mm-dd.
        let iso = d.description.split(separator: "-")
        guard iso.count == 3, let y = Int(iso[0]), let m = Int(iso[1]), let day = Int(iso[2]) else { return "\(d.day).\(d.month).\(d.year)" }
        return "\(day).\(m).\(y)"
    }

    /// `date` of day `i` of the window, made once per day.
    public func date(day i: Int) -> String {
        if i >= 0, i < windowDates.count { return windowDates[i] }
        return Self.date(plan.window.day(i))
    }

    /// The reasons an outcome starts or ends on day `d`: the watches that
    /// change that day, of the rules that give it (`rules`), else of any
    /// rule that can give the outcome, else all of them.
    public func reasons(outcome: Int, rules: [Int], watches: [Int], day d: Int, client: [Value]) -> [String] {
        guard !watches.isEmpty else { return [] }
        var chosen = watches.filter { w in rules.contains { watchRules[w].contains($0) } }
        if chosen.isEmpty {
            let givers = outcome < giversOf.count ? giversOf[outcome] : []
            chosen = watches.filter { w in givers.contains { watchRules[w].contains($0) } }
        }
        if chosen.isEmpty { chosen = watches }
        var out: [String] = []
        for w in chosen {
            let text = describe(w, day: d, client: client)
            if !out.contains(text) { out.append(text) }
        }
        return out
    }

    /// What watch `w` does on day `d` (1...length) for the client.
    public func describe(_ w: Int, day d: Int, client: [Value]) -> String {
        let watch = plan.watches[w]
        switch watch.kind {
        case .inForce(let r, let values):
            let rule = policy.rules[r]
            if values[d] { return fi ? "sääntö tulee voimaan" : "rule \(rule.name) comes into force" }
            return fi ? "sääntö ei ole enää voimassa" : "rule \(rule.name) is no longer in force"
        case .shared(let values):
            guard let site = watch.site else { return generic(nil, values[d]) }
            if case .param(let p) = site.kind, p < policy.params.count {
                let param = policy.params[p]
                let (old, new) = (shown(values[d - 1]), shown(values[d]))
                if fi { return (param.label ?? "arvo") + ": \(old) → \(new)" }
                return "param \(param.name) changes from \(old) to \(new)"
            }
            return generic(site, values[d])
        case .threshold(let t):
            // The anchor reads no date: its value is the client's for the whole window.
            let anchor: Value
            if case .field(let s) = t.anchor.kind, s < client.count {
                anchor = client[s]
            } else {
                var ev = ReferenceEvaluator(context: plan.contexts[0], client: client)
                anchor = (try? ev.eval(t.anchor)) ?? .missing
            }
            // The words depend on the day, the anchor and the field that gave it: many clients share them.
            let key = TextKey(watch: w, day: d, anchor: anchor, field: presentField(t.anchor, client: client)?.slot ?? -1)
            if let text = cache.texts[key] { return text }
            let text = thresholdText(t, anchor: anchor, day: d, client: client)
            cache.texts[key] = text
            return text
        case .daily:
            guard let site = watch.site else { return generic(nil, .failed) }
            return generic(site, plan.value(of: w, client: client, day: d))
        }
    }

    func thresholdText(_ t: Threshold, anchor: Value, day d: Int, client: [Value]) -> String {
        let now: WatchValue
        if case .compare(let op, _, _) = t.written.kind, op != .eq, op != .neq, case .date(let a) = anchor,
           ChangePlan.anchorRange.contains(a.number) {
            now = .value(.bool(t.holds(a.number, day: d)))
        } else {
            var ev = ReferenceEvaluator(context: plan.contexts[d], client: client)
            now = WatchValue { try ev.eval(t.written) }
        }
        return comparison(t, now: now, anchor: anchor, day: d, client: client) ?? generic(t.written, now)
    }

    /// A value in a sentence.
    func shown(_ v: WatchValue) -> String {
        switch v {
        case .failed: return fi ? "ei laskettavissa" : "cannot be evaluated"
        case .value(let x): return text(x)
        }
    }

    func text(_ v: Value) -> String {
        switch v {
        case .date(let d): return Self.date(d)
        case .duration(let d) where fi && d.days == 0 && d.workingDays == 0: return "\(d.months) kk"
        case .missing: return fi ? "puuttuu" : "missing"
        case .bool(let b): return fi ? (b ? "kyllä" : "ei") : (b ? "true" : "false")
        default: return formatter.text(v)
        }
    }

    /// "`x` becomes true" (English); a Finnish reader gets no code: the
    /// condition is met, or is no longer.
    func generic(_ site: TExpr?, _ now: WatchValue) -> String {
        let code = site.map { Self.oneLine($0.span.text) } ?? ""
        switch now {
        case .value(.bool(let b)):
            if fi { return b ? "ajankohtaan sidottu ehto täyttyy" : "ajankohtaan sidottu ehto ei enää täyty" }
            return "`\(code)` becomes \(b)"
        case .value(let v):
            if fi { return "ajankohtaan sidottu arvo muuttuu: \(text(v))" }
            return "`\(code)` becomes \(text(v))"
        case .failed:
            return fi ? "ajankohtaan sidottua ehtoa ei voi laskea" : "`\(code)` cannot be evaluated"
        }
    }

    // MARK: Comparisons

    enum Subject {
        /// A span (`since x`, a let of one): its name, and for `since x` the date it counts from.
        case span(name: String, from: (label: String, date: Day)?)
        /// An age (`age(x)`, a let of one).
        case age(name: String)
        /// A date of the client, against `as_of`.
        case date(name: String, value: Day)
        /// Another number.
        case number(name: String)
    }

    /// A comparison that turned on day `d`, in words; nil when its form has no words of its own.
    func comparison(_ t: Threshold, now: WatchValue, anchor: Value, day d: Int, client: [Value]) -> String? {
        guard case .value(.bool(let holds)) = now, case .compare(let op, let a, let b) = t.written.kind else { return nil }
        let (subject, other, written) = t.anchorOnLeft ? (a, b, op) : (b, a, op.mirrored)
        // The relation that holds from this day: subject REL other.
        let rel = holds ? written : written.negated
        // The other side reads no client: its value on a day is kept.
        let key = (ObjectIdentifier(t.written.span.file ?? Self.noFile), t.written.span.start, d)
        let otherValue: Value
        if let v = cache.others[Key(a: key.0, b: key.1, c: key.2)] {
            otherValue = v
        } else {
            var ev = ReferenceEvaluator(context: plan.contexts[d], client: client)
            guard let v = try? ev.eval(other) else { return nil }
            cache.others[Key(a: key.0, b: key.1, c: key.2)] = v
            otherValue = v
        }
        guard let s = describeSubject(subject, other: other, anchor: t.subjectIsAnchor ? anchor : nil, client: client) else { return nil }
        guard let text = subjectText(s, rel: rel, holds: holds, other: other, otherValue: otherValue) else { return nil }
        // A dated param that changes today moved the limit: say so.
        if d > 0, case .param(let p) = other.kind, p < policy.params.count,
           case .value(let old) = plan.contexts[d - 1].params.indices.contains(p) ? WatchValue.value(plan.contexts[d - 1].params[p]) : .failed,
           old != otherValue {
            let param = policy.params[p]
            if fi, let label = param.label { return text + " (\(label) \(self.text(old)) → \(self.text(otherValue)))" }
            if !fi { return text + " (\(param.name) changes from \(self.text(old)) to \(self.text(otherValue)))" }
        }
        return text
    }

    /// The words of a comparison whose changing side is `s`.
    func subjectText(_ s: Subject, rel: BinaryOp, holds: Bool, other: TExpr, otherValue: Value) -> String? {
        switch s {
        case .span(let name, let from):
            let amount = text(otherValue)
            if let from {
                if fi { return "\(from.label) \(Self.date(from.date)), \(words(rel)) \(amount) sitten" }
                return "time since \(name) (\(Self.date(from.date))) \(verbs(rel)) \(amount)"
            }
            return "\(name) \(fi ? finnishVerbs(rel) : verbs(rel)) \(amount)"
        case .age(let name):
            guard case .int(let n) = otherValue else { return nil }
            switch rel {
            case .ge, .eq: return fi ? "täyttää \(n) vuotta" : "turns \(n)"
            case .gt: return fi ? "täyttää \(n + 1) vuotta" : "turns \(n + 1)"
            case .neq where !holds: return fi ? "täyttää \(n) vuotta" : "turns \(n)"
            case .neq: return fi ? "täyttää \(n + 1) vuotta" : "turns \(n + 1)"
            default: return "\(name) \(fi ? words(rel) : englishWords(rel)) \(n)"
            }
        case .date(let name, let value):
            guard case .asOf = other.kind else { return nil }
            // subject REL as_of, read from as_of's side.
            switch rel.mirrored {
            case .gt: return fi ? "\(name): \(Self.date(value)) ohitettu" : "\(name) (\(Self.date(value))) has passed"
            case .ge: return fi ? "\(name): \(Self.date(value)) saavutettu" : "\(name) (\(Self.date(value))) is reached"
            case .lt, .le: return fi ? "\(name): \(Self.date(value)) ei vielä ohitettu" : "\(name) (\(Self.date(value))) not yet passed"
            default: return nil
            }
        case .number(let name):
            return "\(name) \(fi ? words(rel) : englishWords(rel)) \(text(otherValue))"
        }
    }

    /// How the changing side of a comparison is named.
    func describeSubject(_ e: TExpr, other: TExpr, anchor: Value?, client: [Value]) -> Subject? {
        var name: String?
        var inner = e
        // The outermost let names it.
        while case .letRef(let l) = inner.kind, l < policy.lets.count {
            if name == nil { name = fi ? policy.lets[l].label : policy.lets[l].name }
            inner = policy.lets[l].expr
        }
        switch inner.kind {
        case .since(let x):
            if let name { return .span(name: name, from: nil) }
            guard let (slot, date) = presentField(x, client: client) else { return nil }
            guard let field = policy.record?.fields.first(where: { $0.slot == slot }) else { return nil }
            if fi {
                guard let label = field.label else { return nil }
                return .span(name: label, from: (label, date))
            }
            return .span(name: "client.\(field.name)", from: ("client.\(field.name)", date))
        case .call(.age, let args) where args.count == 1:
            return .age(name: name ?? (fi ? "Ikä" : "age"))
        default:
            if inner.type.base == .date, case .asOf = other.kind {
                var value = anchor
                if value == nil {
                    var ev = ReferenceEvaluator(context: plan.contexts[0], client: client)
                    value = try? ev.eval(e)
                }
                guard case .date(let d)? = value else { return nil }
                if let name { return .date(name: name, value: d) }
                if let (slot, _) = presentField(inner, client: client),
                   let field = policy.record?.fields.first(where: { $0.slot == slot }) {
                    if fi { return field.label.map { .date(name: $0, value: d) } }
                    return .date(name: "client.\(field.name)", value: d)
                }
                return nil
            }
            if inner.type.base == .int || inner.type.base == .decimal, let name { return .number(name: name) }
            return nil
        }
    }

    /// The field a date expression reads for this client: a field, or the
    /// first present one of `a otherwise b`.
    func presentField(_ e: TExpr, client: [Value]) -> (slot: Int, date: Day)? {
        switch e.kind {
        case .field(let s):
            guard s < client.count, case .date(let d) = client[s] else { return nil }
            return (s, d)
        case .unwrap(let a): return presentField(a, client: client)
        case .otherwise(let a, let b): return presentField(a, client: client) ?? presentField(b, client: client)
        case .letRef(let l) where l < policy.lets.count: return presentField(policy.lets[l].expr, client: client)
        default: return nil
        }
    }

    /// "yli", "vähintään" …: Finnish relation words before an amount.
    func words(_ op: BinaryOp) -> String {
        switch op {
        case .gt: return "yli"
        case .ge: return "vähintään"
        case .lt: return "alle"
        case .le: return "enintään"
        case .eq: return "tasan"
        case .neq: return "muu kuin"
        default: return op.rawValue
        }
    }

    /// Finnish verbs of a span that grows past an amount, else the relation words.
    func finnishVerbs(_ op: BinaryOp) -> String {
        switch op {
        case .gt: return "ylittää"
        case .ge: return "saavuttaa"
        case .eq: return "on tasan"
        default: return "on " + words(op)
        }
    }

    func englishWords(_ op: BinaryOp) -> String {
        switch op {
        case .gt: return "is over"
        case .ge: return "is at least"
        case .lt: return "is under"
        case .le: return "is at most"
        case .eq: return "is exactly"
        case .neq: return "is not"
        default: return op.rawValue
        }
    }

    /// English verbs of a span that grows past an amount, else the relation words.
    func verbs(_ op: BinaryOp) -> String {
        switch op {
        case .gt: return "passes"
        case .ge: return "reaches"
        default: return englishWords(op)
        }
    }

    /// Source text on one line.
    static func oneLine(_ s: String) -> String {
        s.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }
}
