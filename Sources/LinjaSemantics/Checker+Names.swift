import LinjaBase
import LinjaSyntax
import LinjaModel

/// Typing expressions: names resolved (lets, params, fields, enumeration

/// Names in expressions: params, lets, fields, places, members.
extension Checker {
    // MARK: Names

    func resolveName(_ n: Name, expected: LType?, env: Env) -> TExpr {
        let s = n.span
        // Where an enumeration value or a place is expected, its names come first.
        if let exp = expected?.base {
            if case .enumeration(let id, _) = exp, let vi = enums[id].index(of: n.text) {
                return TExpr(.constant(.enumeration(type: id, index: vi)), exp, s)
            }
            if case .set(.enumeration(let id, let en)) = exp, let vi = enums[id].index(of: n.text) {
                return TExpr(.constant(.enumeration(type: id, index: vi)), .enumeration(id: id, name: en), s)
            }
            if exp == .municipality || exp == .group, let r = resolvePlace(n, expected: exp, report: false) {
                return r
            }
        }
        if let pid = paramIndex[n.text], env.names {
            let p = TExpr(.param(pid), params[pid].type, s)
            return narrowed(p, env)
        }
        if let pid = paramIndex[n.text], !env.names {
            _ = pid
            diags.error(.misplaced, "`\(n.text)` is a param; a param's value is a constant and cannot name another", at: s)
            return err(s)
        }
        if let lid = letIndex[n.text] {
            guard env.names else {
                diags.error(.misplaced, "`\(n.text)` is a let; a param's value is a constant", at: s)
                return err(s)
            }
            let t = letType(lid, usedAt: s)
            guard env.client || !letUsesClient(lid) else {
                diags.error(.misplaced, "let `\(n.text)` depends on the client and cannot be used here", at: s)
                return err(s)
            }
            return narrowed(TExpr(.letRef(lid), t, s), env)
        }
        if let r = resolvePlace(n, expected: .group, report: false) { return r }
        let owners = enums.filter { $0.index(of: n.text) != nil }
        if owners.count == 1, let vi = owners[0].index(of: n.text) {
            return TExpr(.constant(.enumeration(type: owners[0].id, index: vi)), .enumeration(id: owners[0].id, name: owners[0].name), s)
        }
        if owners.count > 1 {
            diags.error(.unknownName, "`\(n.text)` is a value of several enumerations (\(owners.map(\.name).joined(separator: ", ")))", at: s,
                        help: "compare it with a field: `client.x is \(n.text)`")
            return err(s)
        }
        if let r = record, n.text == r.name {
            diags.error(.unknownName, "`\(n.text)` is the record; name one of its fields", at: s,
                        help: "e.g. `\(n.text).\(r.fields.first?.name ?? "field")`")
            return err(s)
        }
        if let r = record, r.field(n.text) != nil {
            diags.error(.unknownName, "unknown name `\(n.text)`", at: s, help: "did you mean the field `\(r.name).\(n.text)`?")
            return err(s)
        }
        var candidates = Array(paramIndex.keys) + Array(letIndex.keys) + municipalities.map(\.name) + groups.map(\.name)
        if case .enumeration(let id, _)? = expected?.base { candidates += enums[id].values } else { candidates += enums.flatMap(\.values) }
        let code: DiagnosticCode
        if case .enumeration(let id, _)? = expected?.base {
            code = .unknownEnumValue
            diags.error(code, "`\(n.text)` is not a value of `\(enums[id].name)`", at: s,
                        help: suggestion(n.text, among: enums[id].values) ?? "its values are \(enums[id].values.map { "`\($0)`" }.joined(separator: ", "))")
            return err(s)
        }
        if expected?.base == .municipality || expected?.base == .group || Suggest.closest(n.text, among: municipalities.map(\.name)) != nil {
            diags.error(.unknownMunicipality, "unknown municipality or group `\(n.text)`", at: s,
                        help: suggestion(n.text, among: municipalities.map(\.name) + groups.map(\.name) + areas.map(\.name)))
            return err(s)
        }
        diags.error(.unknownName, "unknown name `\(n.text)`", at: s, help: suggestion(n.text, among: candidates))
        return err(s)
    }

    /// A municipality (type municipality) or a group/area (type group). Ids of
    /// groups are ≥ 0 for groups, areas are offset after groups.
    func resolvePlace(_ n: Name, expected: LType, report: Bool = true) -> TExpr? {
        let s = n.span
        if let m = municipalityIndex[n.text] {
            if expected == .group {
                return TExpr(.constant(.group(-m - 1)), .group, s)
            }
            return TExpr(.constant(.municipality(m)), .municipality, s)
        }
        if let g = groupIndex[n.text] { return TExpr(.constant(.group(g)), .group, s) }
        if let a = areaIndex[n.text] { return TExpr(.constant(.group(groups.count + a)), .group, s) }
        if report {
            diags.error(.unknownMunicipality, "unknown municipality `\(n.text)`", at: s,
                        help: suggestion(n.text, among: municipalities.map(\.name) + (expected == .group ? groups.map(\.name) + areas.map(\.name) : [])))
        }
        return nil
    }

    /// The municipalities a group constant stands for (a municipality alone, a group or an area).
    func members(ofGroup g: Int) -> MunicipalitySet {
        if g < 0 { return MunicipalitySet([-g - 1]) }
        if g < groups.count { return groups[g].members }
        let a = g - groups.count
        return a < areas.count ? areas[a].municipalities : MunicipalitySet()
    }

    func typeMember(_ base: Expr, _ field: Name, env: Env, span s: Span) -> TExpr {
        guard case .name(let b) = base.kind, let r = record, b == r.name else {
            if case .name(let b) = base.kind, record == nil {
                diags.error(.unknownName, "`\(b)` is not a record: the policy declares none", at: base.span,
                            help: "declare the record the rules read: `record client { … }`, or import it")
                return err(s)
            }
            if case .name(let b) = base.kind {
                diags.error(.unknownName, "unknown record `\(b)`", at: base.span,
                            help: record.map { "the record is `\($0.name)`" })
                return err(s)
            }
            diags.error(.typeMismatch, "only a record's fields can be read with `.`", at: s)
            return err(s)
        }
        guard let slot = fieldIndex[field.text] else {
            diags.error(.unknownField, "record `\(r.name)` has no field `\(field.text)`", at: field.span,
                        help: suggestion(field.text, among: r.fields.map(\.name)))
            return err(s)
        }
        if !env.client {
            diags.error(.misplaced, "`\(r.name).\(field.text)` is a client's value and cannot be used here", at: s,
                        help: env.aggregates ? "client values are read inside `count of clients where …`" : "a param is a constant")
            return err(s)
        }
        return narrowed(TExpr(.field(slot), r.fields[slot].type, s), env)
    }
}
