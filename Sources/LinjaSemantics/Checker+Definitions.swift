import LinjaBase
import LinjaSyntax
import LinjaModel

/// Params (constants with dated values) and lets (definitions, checked on
/// demand so that a cycle is reported with its path).
extension Checker {
    /// Types a constant expression and evaluates it.
    func constantValue(_ e: Expr, as type: LType?, what: String) -> Value? {
        let t = typeExpr(e, expected: type, env: .constant)
        if t.type.isError { return nil }
        if let want = type, !want.isError, !fits(t.type, want) {
            diags.error(.typeMismatch, "\(what) must be \(want.a), not \(t.type.a)", at: e.span)
            return nil
        }
        let ctx = EvalContext(asOf: nil, params: [], lets: [], groupSets: groupSets)
        var ev = ReferenceEvaluator(context: ctx, client: [])
        do {
            let v = try ev.eval(t)
            return type.map { v.widened(to: $0) } ?? v
        } catch let error as EvalError {
            diags.error(.arithmetic, error.message, at: error.span)
        } catch {
            diags.error(.arithmetic, "\(error)", at: e.span)
        }
        return nil
    }

    /// Whether a value of type `have` may stand where `want` is needed.
    func fits(_ have: LType, _ want: LType) -> Bool { want.accepts(have) }

    /// Group ids then area ids, for `Value.group`.
    var groupSets: [MunicipalitySet] { groups.map(\.members) + areas.map(\.municipalities) }

    func checkParams() {
        for (name, d) in sortedByOrder(paramDecls, "param") {
            let p = d.node
            let declared = p.type.map { resolveType($0, fieldName: name) }
            guard let base = constantValue(p.value, as: declared, what: "the value of param `\(name)`") else {
                paramIndex[name] = params.count
                params.append(ParamDef(id: params.count, name: name, label: p.header.label, type: .error, base: .missing,
                                       dated: [], span: p.header.span, valueSpans: [p.value.span],
                                       sources: p.header.attribute(.source), assumptions: p.header.attribute(.assumption)))
                continue
            }
            let type = declared ?? typeOfConstant(base)
            var dated: [(from: Day, value: Value)] = []
            var spans = [p.value.span]
            var last: Day?
            for dv in p.dated {
                guard case .date(let ds) = dv.from.kind, let day = Day.parse(Substring(ds)) else {
                    diags.error(.invalidParam, "a dated value starts on a date (`from 2027-01-01 = …`)", at: dv.from.span)
                    continue
                }
                if let l = last, day <= l {
                    diags.error(.invalidParam, "dated values of param `\(name)` must be in date order", at: dv.from.span,
                                help: "the previous value starts \(l)")
                }
                last = day
                if let v = constantValue(dv.value, as: type, what: "the value of param `\(name)` from \(day)") {
                    dated.append((day, v))
                    spans.append(dv.value.span)
                }
            }
            paramIndex[name] = params.count
            params.append(ParamDef(id: params.count, name: name, label: p.header.label, type: type, base: base, dated: dated,
                                   span: p.header.span, valueSpans: spans, sources: p.header.attribute(.source),
                                   assumptions: p.header.attribute(.assumption)))
        }
    }

    /// The type of a constant value.
    func typeOfConstant(_ v: Value) -> LType {
        switch v {
        case .bool: return .bool
        case .int: return .int
        case .decimal: return .decimal
        case .text: return .text
        case .date: return .date
        case .percent: return .percent
        case .money: return .money
        case .duration(let d): return .duration(d.kind)
        case .span: return .span
        case .enumeration(let t, _): return t < enums.count ? .enumeration(id: t, name: enums[t].name) : .error
        case .municipality: return .municipality
        case .group: return .group
        case .set(let items): return .set(items.first.map(typeOfConstant) ?? .error)
        case .period: return .period
        case .missing: return .error
        }
    }

    func checkLets() {
        // Number every let first, so definitions may refer to later ones.
        let sorted = sortedByOrder(letDecls, "let")
        letList = sorted
        lets = Array(repeating: nil, count: sorted.count)
        for (i, (name, _)) in sorted.enumerated() { letIndex[name] = i }
        // Each let after the lets it names, so that typing one finds them
        // typed and never recurses down a chain (a chain of a few thousand
        // lets would overflow the stack). Lets in or above a cycle are left
        // to the loop below, where `letType` reports the cycle.
        let order = acyclicLetOrder()
        for lid in order { _ = letType(lid, usedAt: nil) }
        for (name, _) in sorted {
            if let lid = letIndex[name] { _ = letType(lid, usedAt: nil) }
        }
        checkLetDepth(order)
    }

    /// Definitions may nest through lets at most this deep: every walk over
    /// a checked expression (the compiler, both evaluators, explanations)
    /// follows lets, and the limit keeps it within the stack.
    static let maxLetDepth = 512

    /// The lets whose definitions reach no cycle, each after every let it
    /// names (Tarjan's strongly connected components, with an explicit
    /// stack). Names are read from the syntax: a name that turns out to be
    /// something else only adds an ordering constraint.
    func acyclicLetOrder() -> [Int] {
        let n = letList.count
        var edges: [[Int]] = Array(repeating: [], count: n)
        for (lid, (_, d)) in letList.enumerated() {
            var names: [Int] = []
            forEachName(in: d.node.value) { if let k = letIndex[$0] { names.append(k) } }
            edges[lid] = names
        }
        var index = Array(repeating: -1, count: n), low = Array(repeating: 0, count: n)
        var onStack = Array(repeating: false, count: n)
        // Whether the let is in a cycle or names one, directly or not.
        var tainted = Array(repeating: false, count: n)
        var stack: [Int] = []
        var order: [Int] = []
        var counter = 0
        for root in 0..<n where index[root] < 0 {
            // (let, next edge to follow)
            var work: [(Int, Int)] = [(root, 0)]
            index[root] = counter; low[root] = counter; counter += 1
            stack.append(root); onStack[root] = true
            while let (v, next) = work.last {
                if next < edges[v].count {
                    work[work.count - 1].1 = next + 1
                    let w = edges[v][next]
                    if index[w] < 0 {
                        index[w] = counter; low[w] = counter; counter += 1
                        stack.append(w); onStack[w] = true
                        work.append((w, 0))
                    } else if onStack[w] {
                        low[v] = min(low[v], index[w])
                    }
                    continue
                }
                work.removeLast()
                if let (parent, _) = work.last { low[parent] = min(low[parent], low[v]) }
                guard low[v] == index[v] else { continue }
                var component: [Int] = []
                while let w = stack.popLast() {
                    onStack[w] = false
                    component.append(w)
                    if w == v { break }
                }
                // Every let this component names is in an earlier component.
                var bad = component.count > 1 || edges[v].contains(v)
                for c in component where !bad { bad = edges[c].contains { tainted[$0] } }
                for c in component { tainted[c] = bad }
                if !bad { order.append(v) }
            }
        }
        return order
    }

    /// Calls `body` with every bare name an expression (or a nested one) uses.
    func forEachName(in e: Expr, _ body: (String) -> Void) {
        var work = [e]
        while let x = work.popLast() {
            switch x.kind {
            case .bool, .number, .percent, .money, .duration, .date, .period, .text, .asOf, .periodStart, .periodEnd, .missing, .error: break
            case .name(let n): body(n)
            case .member(let base, _): work.append(base)
            case .unary(_, let a), .isMissing(let a, _), .since(let a): work.append(a)
            case .binary(_, let a, let b), .isValue(let a, let b, _), .membership(let a, let b, _): work += [b, a]
            case .call(_, let args), .set(let args): work += args.reversed()
            case .ifElse(let a, let b, let c): work += [c, b, a]
            case .caseOf(let subject, let arms, let otherwise):
                if let o = otherwise { work.append(o) }
                for arm in arms.reversed() { work.append(arm.result); work += arm.values.reversed() }
                work.append(subject)
            case .aggregate(let a):
                work += a.ratio.reversed()
                if let v = a.value { work.append(v) }
                if let f = a.among { work.append(f) }
                if let f = a.filter { work.append(f) }
            }
        }
    }

    /// Reports lets defined through lets nested deeper than `maxLetDepth`
    /// (counting the levels of each expression on the way), and turns them,
    /// and the lets defined through them, into errors so that nothing walks
    /// them. A chain is reported once, at its first let past the limit.
    func checkLetDepth(_ order: [Int]) {
        var depth = Array(repeating: 0, count: lets.count)
        var tooDeep = Array(repeating: false, count: lets.count)
        for lid in order {
            guard let l = lets[lid] else { continue }
            var namesTooDeep = false
            var d = 0
            if l.expr.type.isError == false {
                d = letDepth(l.expr, depth, tooDeep, &namesTooDeep)
            }
            depth[lid] = d
            guard namesTooDeep || d > Checker.maxLetDepth else { continue }
            tooDeep[lid] = true
            lets[lid]?.expr = TExpr(.error, .error, l.expr.span)
            if namesTooDeep { continue }
            let (name, decl) = letList[lid]
            diags.error(.nestingTooDeep, "let `\(name)` is defined through lets nested more than \(Checker.maxLetDepth) levels deep",
                        at: decl.node.header.name.span,
                        help: "define it from fewer lets in a chain: each let here names another, and that one another")
        }
    }

    /// The levels of an expression, a let's counting as its definition's;
    /// `namesTooDeep` is set when it names a let already past the limit.
    func letDepth(_ e: TExpr, _ depths: [Int], _ tooDeep: [Bool], _ namesTooDeep: inout Bool) -> Int {
        if case .letRef(let l) = e.kind {
            guard l < depths.count else { return 1 }
            if tooDeep[l] { namesTooDeep = true }
            return 1 + depths[l]
        }
        var deepest = 0
        e.forEachChild { deepest = max(deepest, letDepth($0, depths, tooDeep, &namesTooDeep)) }
        return 1 + deepest
    }

    /// The type of a let, checking it now if it has not been; a let met again
    /// while being checked is a cycle.
    func letType(_ lid: Int, usedAt: Span?) -> LType {
        if let l = lets[lid] { return l.type }
        let sorted = letList
        guard lid < sorted.count else { return .error }
        let (name, d) = sorted[lid]
        if letState[lid] == .checking {
            let cycleStart = letStack.firstIndex(of: lid) ?? 0
            let path = (letStack[cycleStart...] + [lid]).map { sorted[$0].0 }
            diags.error(.cyclicDefinition, "let `\(name)` depends on itself: \(path.joined(separator: " → "))",
                        at: d.node.header.name.span,
                        notes: usedAt.map { [DiagnosticNote("the cycle closes here", at: $0)] } ?? [],
                        help: "a definition cannot use itself, directly or through other lets")
            return .error
        }
        if letStack.count >= Checker.maxLetDepth {
            // Only lets above a cycle get here (the others are typed in
            // order): a chain too long to follow is an error, not a crash.
            diags.error(.nestingTooDeep, "let `\(name)` is defined through lets nested more than \(Checker.maxLetDepth) levels deep",
                        at: d.node.header.name.span,
                        help: "define it from fewer lets in a chain: each let here names another, and that one another")
            return .error
        }
        letState[lid] = .checking
        letStack.append(lid)
        let t = typeExpr(d.node.value, expected: nil, env: .perClient)
        letStack.removeLast()
        letState[lid] = .done
        if lets[lid] == nil {
            lets[lid] = LetDef(id: lid, name: name, label: d.node.header.label, expr: t, span: d.node.header.span,
                               sources: d.node.header.attribute(.source), assumptions: d.node.header.attribute(.assumption))
        }
        return lets[lid]?.type ?? .error
    }

    /// Whether a let reads the client (directly or through other lets).
    /// Remembered per let: shared definitions would otherwise be walked
    /// once per path to them.
    func letUsesClient(_ lid: Int) -> Bool {
        if let known = letReadsClient[lid] { return known }
        guard let l = lets[lid] else { return true }
        let uses = usesClient(l.expr)
        letReadsClient[lid] = uses
        return uses
    }

    func usesClient(_ e: TExpr) -> Bool {
        switch e.kind {
        case .field: return true
        case .letRef(let l): return letUsesClient(l)
        default:
            var found = false
            e.forEachChild { if !found, usesClient($0) { found = true } }
            return found
        }
    }
}
