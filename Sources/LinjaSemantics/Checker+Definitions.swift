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
        for (name, _) in sorted {
            if let lid = letIndex[name] { _ = letType(lid, usedAt: nil) }
        }
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
    func letUsesClient(_ lid: Int) -> Bool {
        guard let l = lets[lid] else { return true }
        return usesClient(l.expr)
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
