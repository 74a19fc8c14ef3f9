import LinjaBase
import LinjaSyntax
import LinjaModel

/// Conflict analysis: two rules that can give one `refer` outcome different
/// destinations for the same client are an error unless their scopes, dates
/// or conditions exclude each other, or one says it wins (`over`).
///
/// Conditions are read as conjunctions of atoms: comparisons of one value
/// with constants, enumeration and municipality values, set membership,
/// presence, and boolean fields and lets. Two conjunctions exclude each other
/// when some value is constrained by both to disjoint sets.
extension Checker {
    /// A constraint on one value.
    enum Constraint: Equatable {
        /// lo ... hi over an ordered domain (inclusive flags).
        case interval(lo: Int64?, loIncl: Bool, hi: Int64?, hiIncl: Bool)
        /// One of these values (or none of them, when `excluded`).
        case values(Set<Value>, excluded: Bool)
    }

    struct Atom {
        var subject: String
        var constraint: Constraint
    }

    /// A stable description of an expression, used to tell "the same value".
    func key(_ e: TExpr) -> String? {
        switch e.kind {
        case .field(let s): return "field:\(s)"
        case .letRef(let l): return "let:\(l)"
        case .param(let p): return "param:\(p)"
        case .asOf: return "as_of"
        case .unwrap(let a): return key(a)
        case .since(let a): return key(a).map { "since(\($0))" }
        case .call(let b, let args):
            let ks = args.compactMap(key)
            return ks.count == args.count ? "\(b.rawValue)(\(ks.joined(separator: ",")))" : nil
        case .otherwise(let a, let b):
            guard let ka = key(a), case .constant(let v) = b.kind else { return nil }
            return "\(ka) otherwise \(v)"
        default: return nil
        }
    }

    /// An ordered encoding of a constant, with the unit it is in.
    func ordinal(_ v: Value) -> (Int64, String)? {
        switch v {
        case .int(let i): return Fixed(integer: Int(i)).map { ($0.raw, "n") }
        case .decimal(let f): return (f.raw, "n")
        case .percent(let f): return (f.raw, "%")
        case .money(let f): return (f.raw, "€")
        case .date(let d): return (Int64(d.number), "date")
        case .duration(let d):
            switch d.kind {
            case .months: return (Int64(d.months), "months")
            case .days: return (Int64(d.days), "days")
            case .workingDays: return (Int64(d.workingDays), "wd")
            case .mixed: return nil
            }
        case .period(let p): return (Int64(p.first.number), "period")
        default: return nil
        }
    }

    func atoms(_ e: TExpr, depth: Int = 0) -> [Atom] {
        guard depth < 8 else { return [] }
        switch e.kind {
        case .and(let a, let b): return atoms(a, depth: depth + 1) + atoms(b, depth: depth + 1)
        case .otherwise(let a, let b):
            // `x otherwise false` holds only where x holds.
            if case .constant(.bool(false)) = b.kind { return atoms(a, depth: depth + 1) }
            return []
        case .compare(let op, let a, let b):
            if case .constant(let v) = b.kind { return compareAtom(op, a, v).map { [$0] } ?? [] }
            if case .constant(let v) = a.kind { return compareAtom(op.mirrored, b, v).map { [$0] } ?? [] }
            return []
        case .inGroup(let m, let g):
            guard let k = key(m), case .constant(.group(let gid)) = g.kind else { return [] }
            let set = Set(members(ofGroup: gid).ids.map { Value.municipality($0) })
            return [Atom(subject: k, constraint: .values(set, excluded: false))]
        case .inSet(let x, let s):
            guard let k = key(x), case .constant(.set(let items)) = s.kind else { return [] }
            return [Atom(subject: k, constraint: .values(Set(items), excluded: false))]
        case .isMissing(let x, let negated):
            guard let k = key(x) else { return [] }
            return [Atom(subject: "present(\(k))", constraint: .values([.bool(negated)], excluded: false))]
        case .field, .letRef, .unwrap:
            guard let k = key(e) else { return [] }
            var out = [Atom(subject: k, constraint: .values([.bool(true)], excluded: false))]
            if case .letRef(let l) = e.kind, let def = lets[l] { out += atoms(def.expr, depth: depth + 1) }
            return out
        case .not(let a):
            return negatedAtoms(a, depth: depth + 1)
        case .constant(.bool(false)):
            return [Atom(subject: "false", constraint: .values([], excluded: false))]
        default:
            return []
        }
    }

    /// Atoms that hold when `e` is false (only where that is one constraint).
    func negatedAtoms(_ e: TExpr, depth: Int) -> [Atom] {
        let inner = atoms(e, depth: depth)
        // ¬(a and b) is not a conjunction; only a single atom negates cleanly.
        guard inner.count == 1 || isSimple(e) else { return [] }
        guard let first = inner.first else { return [] }
        switch first.constraint {
        case .values(let s, let excluded):
            return [Atom(subject: first.subject, constraint: .values(s, excluded: !excluded))]
        case .interval(let lo, let loIncl, let hi, let hiIncl):
            if lo == nil, let h = hi { return [Atom(subject: first.subject, constraint: .interval(lo: h, loIncl: !hiIncl, hi: nil, hiIncl: false))] }
            if hi == nil, let l = lo { return [Atom(subject: first.subject, constraint: .interval(lo: nil, loIncl: false, hi: l, hiIncl: !loIncl))] }
            return []
        }
    }

    func isSimple(_ e: TExpr) -> Bool {
        switch e.kind {
        case .letRef(let l): return lets[l].map { atoms($0.expr).count <= 1 } ?? true
        default: return false
        }
    }

    func compareAtom(_ op: BinaryOp, _ subject: TExpr, _ v: Value) -> Atom? {
        guard var k = key(subject) else { return nil }
        switch v {
        case .enumeration, .municipality, .bool, .text:
            switch op {
            case .eq: return Atom(subject: k, constraint: .values([v], excluded: false))
            case .neq: return Atom(subject: k, constraint: .values([v], excluded: true))
            default: return nil
            }
        default:
            guard let (n, unit) = ordinal(v) else { return nil }
            k += "|" + unit
            switch op {
            case .eq: return Atom(subject: k, constraint: .interval(lo: n, loIncl: true, hi: n, hiIncl: true))
            case .lt: return Atom(subject: k, constraint: .interval(lo: nil, loIncl: false, hi: n, hiIncl: false))
            case .le: return Atom(subject: k, constraint: .interval(lo: nil, loIncl: false, hi: n, hiIncl: true))
            case .gt: return Atom(subject: k, constraint: .interval(lo: n, loIncl: false, hi: nil, hiIncl: false))
            case .ge: return Atom(subject: k, constraint: .interval(lo: n, loIncl: true, hi: nil, hiIncl: false))
            default: return nil
            }
        }
    }

    func conditionAtoms(_ e: TExpr?) -> [Atom] { e.map { atoms($0) } ?? [] }

    /// Whether two conjunctions can never hold together.
    func exclusive(_ a: [Atom], _ b: [Atom]) -> Bool {
        let all = a + b
        if all.contains(where: { $0.subject == "false" }) { return true }
        var bySubject: [String: [Constraint]] = [:]
        for atom in all { bySubject[atom.subject, default: []].append(atom.constraint) }
        for (_, cs) in bySubject where cs.count > 1 {
            if empty(cs) { return true }
        }
        return false
    }

    /// Whether constraints on one value leave no value possible.
    func empty(_ cs: [Constraint]) -> Bool {
        var lo: (Int64, Bool)?
        var hi: (Int64, Bool)?
        var allowed: Set<Value>?
        var excluded: Set<Value> = []
        for c in cs {
            switch c {
            case .interval(let l, let li, let h, let hi2):
                if let l { if let cur = lo { if l > cur.0 || (l == cur.0 && !li) { lo = (l, li) } } else { lo = (l, li) } }
                if let h { if let cur = hi { if h < cur.0 || (h == cur.0 && !hi2) { hi = (h, hi2) } } else { hi = (h, hi2) } }
            case .values(let s, let ex):
                if ex { excluded.formUnion(s) } else { allowed = allowed.map { $0.intersection(s) } ?? s }
            }
        }
        if let (l, li) = lo, let (h, hiIncl) = hi {
            if l > h || (l == h && !(li && hiIncl)) { return true }
        }
        if let a = allowed, a.subtracting(excluded).isEmpty { return true }
        return false
    }

    func checkConflicts() {
        struct Giver {
            var rule: Int
            var variant: Int?
            var outcome: GivenOutcome
            var scope: MunicipalitySet
            var atoms: [Atom]
        }
        var byOutcome: [Int: [Giver]] = [:]
        let placeKey = municipalitySlot.map { "field:\($0)" }
        for rule in rules {
            let ruleScope = rule.scope ?? allMunicipalities
            var base = conditionAtoms(rule.condition)
            for ex in rule.exceptions { base += negatedAtoms(ex.condition, depth: 0) }
            // Where an unconditional variant applies, the base `then` never does.
            var baseScope = ruleScope
            for v in rule.variants where v.condition == nil { baseScope = baseScope.subtracting(v.scope) }
            func add(_ outcomes: [GivenOutcome], _ variant: Int?, _ scope: MunicipalitySet, _ atoms: [Atom]) {
                for o in outcomes where outcomes.isEmpty == false && self.outcomes[o.outcome].kind == .refer {
                    var a = atoms
                    if let k = placeKey { a.append(Atom(subject: k, constraint: .values(Set(scope.ids.map { Value.municipality($0) }), excluded: false))) }
                    byOutcome[o.outcome, default: []].append(Giver(rule: rule.id, variant: variant, outcome: o, scope: scope, atoms: a))
                }
            }
            add(rule.outcomes, nil, baseScope, base)
            for v in rule.variants {
                add(v.outcomes, v.index, v.scope, base + conditionAtoms(v.condition))
            }
        }
        var reported = Set<String>()
        for (oid, givers) in byOutcome.sorted(by: { $0.key < $1.key }) {
            for (i, a) in givers.enumerated() {
                for b in givers[(i + 1)...] where a.rule != b.rule && a.outcome.destination != b.outcome.destination {
                    let ra = rules[a.rule], rb = rules[b.rule]
                    if ra.over.contains(rb.id) || rb.over.contains(ra.id) { continue }
                    if a.scope.intersection(b.scope).isEmpty && !(allMunicipalities.isEmpty) { continue }
                    if let fa = ra.from, let ub = rb.until, ub < fa { continue }
                    if let fb = rb.from, let ua = ra.until, ua < fb { continue }
                    if exclusive(a.atoms, b.atoms) { continue }
                    let pair = "\(min(a.rule, b.rule))-\(max(a.rule, b.rule))-\(oid)"
                    guard reported.insert(pair).inserted else { continue }
                    let o = outcomes[oid]
                    let da = a.outcome.destination.map { o.destinations[$0] } ?? "?"
                    let db = b.outcome.destination.map { o.destinations[$0] } ?? "?"
                    let places = a.scope.intersection(b.scope).ids.prefix(4).map { municipalities[$0].name }
                    diags.error(.ruleConflict,
                                "rules `\(ra.name)` and `\(rb.name)` can both refer `\(o.name)` for one client, to `\(da)` and to `\(db)`",
                                at: b.outcome.span, notes: [DiagnosticNote("`\(ra.name)` refers to `\(da)` here", at: a.outcome.span)],
                                help: (places.isEmpty ? "" : "both apply in \(places.joined(separator: ", ")); ")
                                    + "make their conditions exclude each other, or say which wins: `over \(ra.name)` in rule `\(rb.name)`")
                }
            }
        }
    }
}
