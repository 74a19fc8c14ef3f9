import Foundation
import Linja

/// What a declared name is.
public enum SymbolKind: String, Sendable, CaseIterable {
    case area, municipality, group, record, field, enumeration, enumValue = "value", outcome, destination,
         param, `let`, rule, goal, target, assessment, fixture
}

/// A declaration's identity: its kind and where its name is written.
/// The same file read by several policies gives the same key.
struct SymbolKey: Hashable, Sendable {
    var kind: SymbolKind
    var path: String
    var offset: Int
}

/// One declaration of a name.
struct SymbolDecl {
    var key: SymbolKey
    var name: String
    /// The name as written (with quotes for a quoted name), in bytes.
    var nameRange: Range<Int>
    /// The whole declaration.
    var range: Range<Int>
    var label: String?
    var doc: [String]
    var attributes: [Attribute]
    /// The directory (policy unit) that declares it.
    var directory: String
    /// The declaration it belongs to (a value's enumeration, a destination's
    /// outcome, a target's goal, a field's record, a municipality's area).
    var container: SymbolKey?
    /// Written with `overrides` (replacing an imported declaration of the same name).
    var overrides: Bool
}

/// A name written in a rule file and the declaration it stands for.
struct Occurrence {
    var key: SymbolKey
    var path: String
    var range: Range<Int>
    var isDeclaration: Bool
}

/// Names of one policy: its declarations (its own and imported ones, with
/// overrides resolved as the checker resolves them), and every name
/// written in its own directory's files with what it stands for.
///
/// Built over the public syntax tree. Where the type of the place decides
/// what a bare name means (`client.status is unemployed`: the value, not
/// the let `unemployed`), the checked policy's typed expressions say what
/// the checker chose; elsewhere names are looked up in the checker's order.
final class SymbolIndex {
    let policy: Policy
    let absolute: (String) -> String
    /// The policy's own directory.
    let directory: String

    var decls: [SymbolKey: SymbolDecl] = [:]
    var params: [String: SymbolKey] = [:]
    var lets: [String: SymbolKey] = [:]
    var rules: [String: SymbolKey] = [:]
    var importedRules: [String: SymbolKey] = [:]
    var outcomes: [String: SymbolKey] = [:]
    var destinations: [String: [String: SymbolKey]] = [:]
    var goals: [String: SymbolKey] = [:]
    var targets: [String: SymbolKey] = [:]
    var fixtures: [String: SymbolKey] = [:]
    var enums: [String: SymbolKey] = [:]
    var enumValues: [String: [String: SymbolKey]] = [:]
    var municipalities: [String: SymbolKey] = [:]
    var groups: [String: SymbolKey] = [:]
    var areas: [String: SymbolKey] = [:]
    var fields: [String: SymbolKey] = [:]
    var assessments: [String: SymbolKey] = [:]
    var record: SymbolKey?
    /// A declaration written with `overrides` → the imported one it replaces.
    var overrideLinks: [SymbolKey: SymbolKey] = [:]

    /// Names written in the policy's own files.
    var occurrences: [Occurrence] = []
    /// Calls of builtins, for hover.
    var builtinCalls: [(path: String, range: Range<Int>, builtin: Builtin)] = []
    /// `import "…"` paths and the directories they name.
    var imports: [(path: String, range: Range<Int>, directory: String)] = []
    /// The declarations of the policy's own files, in order, for document symbols.
    var fileDeclarations: [String: [Declaration]] = [:]
    /// The typed expressions' reading of names, by "path:offset".
    var typed: [String: SymbolKey] = [:]

    init(policy: Policy, absolute: @escaping (String) -> String) {
        self.policy = policy
        self.absolute = absolute
        self.directory = policy.directory
        collect()
        collectTyped()
        guard let own = policy.units.last else { return }
        for f in own.files {
            let path = absolute(f.file.path)
            fileDeclarations[path] = f.declarations
            for d in f.declarations { walk(d, file: f.file, path: path) }
        }
    }

    // MARK: Declarations

    var unitOf: [SymbolKey: Int] = [:]
    var localUnit: Int { policy.units.count - 1 }

    func key(_ kind: SymbolKind, _ name: Name, _ path: String) -> SymbolKey {
        SymbolKey(kind: kind, path: path, offset: name.span.start)
    }

    @discardableResult
    func declare(_ kind: SymbolKind, _ name: Name, header: DeclHeader?, range: Span, path: String, unit: Int,
                 container: SymbolKey? = nil, label: String? = nil, overrides: Bool = false) -> SymbolKey {
        let k = key(kind, name, path)
        decls[k] = SymbolDecl(key: k, name: name.text, nameRange: name.span.start..<name.span.end,
                              range: range.start..<max(range.end, name.span.end), label: header?.label ?? label,
                              doc: header?.doc ?? [], attributes: header?.attributes ?? [],
                              directory: policy.units[unit].directory, container: container, overrides: overrides)
        unitOf[k] = unit
        return k
    }

    /// Registers a name as the checker does: the first of two in one
    /// policy wins; an `overrides` in the policy itself replaces an import.
    func register(_ table: inout [String: SymbolKey], _ name: String, _ k: SymbolKey, unit: Int, overrides: Bool) {
        guard let existing = table[name] else {
            table[name] = k
            return
        }
        let existingUnit = unitOf[existing] ?? 0
        if existingUnit != unit, unit == localUnit, existingUnit != localUnit, overrides {
            table[name] = k
            overrideLinks[k] = existing
        }
    }

    func collect() {
        var ruleRenames: [(target: String, unit: Int)] = []
        var records: [(RecordDecl, String, Int)] = []
        for (ui, unit) in policy.units.enumerated() {
            for f in unit.files {
                let path = absolute(f.file.path)
                for decl in f.declarations {
                    switch decl {
                    case .importDecl:
                        break
                    case .area(let a):
                        let ak = declare(.area, a.header.name, header: a.header, range: a.header.span, path: path, unit: ui)
                        if areas[a.header.name.text] == nil { areas[a.header.name.text] = ak }
                        for m in a.municipalities {
                            let mk = declare(.municipality, m.name, header: nil, range: m.name.span, path: path, unit: ui, container: ak)
                            if municipalities[m.name.text] == nil { municipalities[m.name.text] = mk }
                        }
                        for g in a.groups {
                            let gk = declare(.group, g.header.name, header: g.header, range: g.header.span, path: path, unit: ui, container: ak)
                            if groups[g.header.name.text] == nil { groups[g.header.name.text] = gk }
                        }
                    case .record(let r):
                        records.append((r, path, ui))
                    case .enumDecl(let e):
                        let ek = declare(.enumeration, e.header.name, header: e.header, range: e.header.span, path: path, unit: ui)
                        register(&enums, e.header.name.text, ek, unit: ui, overrides: false)
                        if enums[e.header.name.text] == ek {
                            for v in e.values {
                                let vk = declare(.enumValue, v.name, header: nil, range: v.name.span, path: path, unit: ui,
                                                 container: ek, label: v.label)
                                if enumValues[e.header.name.text, default: [:]][v.name.text] == nil {
                                    enumValues[e.header.name.text, default: [:]][v.name.text] = vk
                                }
                            }
                        }
                    case .outcome(let o):
                        let ok = declare(.outcome, o.header.name, header: o.header, range: o.header.span, path: path, unit: ui)
                        register(&outcomes, o.header.name.text, ok, unit: ui, overrides: false)
                        for d in o.destinations {
                            let dk = declare(.destination, d.name, header: nil, range: d.name.span, path: path, unit: ui,
                                             container: ok, label: d.label)
                            if outcomes[o.header.name.text] == ok, destinations[o.header.name.text, default: [:]][d.name.text] == nil {
                                destinations[o.header.name.text, default: [:]][d.name.text] = dk
                            }
                        }
                    case .param(let p):
                        let pk = declare(.param, p.header.name, header: p.header, range: p.header.span, path: path, unit: ui,
                                         overrides: p.overrides)
                        register(&params, p.header.name.text, pk, unit: ui, overrides: p.overrides)
                    case .letDecl(let l):
                        let lk = declare(.let, l.header.name, header: l.header, range: l.header.span, path: path, unit: ui,
                                         overrides: l.overrides)
                        register(&lets, l.header.name.text, lk, unit: ui, overrides: l.overrides)
                    case .rule(let r):
                        let rk = declare(.rule, r.header.name, header: r.header, range: r.header.span, path: path, unit: ui,
                                         overrides: r.overridesSameName)
                        if ui != localUnit, importedRules[r.header.name.text] == nil { importedRules[r.header.name.text] = rk }
                        register(&rules, r.header.name.text, rk, unit: ui, overrides: r.overridesSameName)
                        if let t = r.overrides, !r.overridesSameName { ruleRenames.append((t.text, ui)) }
                    case .goal(let g):
                        let gk = declare(.goal, g.header.name, header: g.header, range: g.header.span, path: path, unit: ui)
                        register(&goals, g.header.name.text, gk, unit: ui, overrides: false)
                        for t in g.targets {
                            let tk = declare(.target, t.header.name, header: t.header, range: t.header.span, path: path, unit: ui,
                                             container: gk)
                            if targets[t.header.name.text] == nil { targets[t.header.name.text] = tk }
                        }
                    case .verdicts(let v):
                        for item in v.items {
                            if case .assessment(let name, let label, _, let span) = item {
                                let k = declare(.assessment, name, header: nil, range: span, path: path, unit: ui, label: label)
                                if assessments[name.text] == nil { assessments[name.text] = k }
                            }
                        }
                    case .report, .test, .unit:
                        break
                    case .fixture(let fx):
                        let fk = declare(.fixture, fx.header.name, header: fx.header, range: fx.header.span, path: path, unit: ui)
                        register(&fixtures, fx.header.name.text, fk, unit: ui, overrides: false)
                    }
                }
            }
        }
        for r in ruleRenames {
            if let existing = rules[r.target], (unitOf[existing] ?? 0) != r.unit { rules[r.target] = nil }
        }
        // The record: one per policy; with an imported and an own one, the own one.
        let local = records.filter { $0.2 == localUnit }
        let chosen = records.count == 2 && local.count == 1 ? local.first : records.first
        for (r, path, ui) in records {
            let rk = declare(.record, r.header.name, header: r.header, range: r.header.span, path: path, unit: ui)
            for fd in r.fields {
                let fk = declare(.field, fd.header.name, header: fd.header, range: fd.header.span, path: path, unit: ui, container: rk)
                if case .inlineEnum(let values, let span)? = Self.inlineEnum(fd.type) {
                    let ek = SymbolKey(kind: .enumeration, path: path, offset: span.start)
                    decls[ek] = SymbolDecl(key: ek, name: fd.header.name.text, nameRange: span.start..<span.end,
                                           range: span.start..<span.end, label: nil, doc: [], attributes: [],
                                           directory: policy.units[ui].directory, container: fk, overrides: false)
                    for v in values {
                        let vk = declare(.enumValue, v.name, header: nil, range: v.name.span, path: path, unit: ui,
                                         container: ek, label: v.label)
                        if chosen?.0.header.name.span.start == r.header.name.span.start, chosen?.1 == path,
                           enumValues[fd.header.name.text, default: [:]][v.name.text] == nil {
                            enumValues[fd.header.name.text, default: [:]][v.name.text] = vk
                        }
                    }
                    if chosen?.1 == path, chosen?.0.header.name.span.start == r.header.name.span.start {
                        enums[fd.header.name.text] = ek
                    }
                }
                if chosen?.1 == path, chosen?.0.header.name.span.start == r.header.name.span.start, fields[fd.header.name.text] == nil {
                    fields[fd.header.name.text] = fk
                }
            }
            if chosen?.1 == path, chosen?.0.header.name.span.start == r.header.name.span.start { record = rk }
        }
    }

    /// The enumeration a field's type spells out in place (`a | b`), under `?` or `set of`.
    static func inlineEnum(_ t: TypeExpr) -> TypeExpr? {
        switch t {
        case .inlineEnum: return t
        case .optional(let inner, _), .setOf(let inner, _): return inlineEnum(inner)
        case .named: return nil
        }
    }

    // MARK: What the checker chose

    func typedKey(_ path: String, _ offset: Int) -> String { "\(path):\(offset)" }

    func collectTyped() {
        var exprs: [TExpr] = []
        for l in policy.lets { exprs.append(l.expr) }
        for r in policy.rules {
            if let c = r.condition { exprs.append(c) }
            for e in r.exceptions { exprs.append(e.condition) }
            for v in r.variants { if let c = v.condition { exprs.append(c) } }
        }
        for t in policy.targets { if let m = t.measured { exprs.append(m) } }
        for t in policy.tests {
            for e in t.expectations { if case .holds(_, let x, _) = e { exprs.append(x) } }
        }
        for e in exprs { visitTyped(e) }
    }

    func visitTyped(_ e: TExpr) {
        if let f = e.span.file, let k = meaning(of: e) {
            typed[typedKey(absolute(f.path), e.span.start)] = k
        }
        e.forEachChild { visitTyped($0) }
    }

    /// The declaration a typed expression names, if it is a name.
    func meaning(of e: TExpr) -> SymbolKey? {
        switch e.kind {
        case .param(let id):
            return policy.params.first { $0.id == id }.flatMap { params[$0.name] }
        case .letRef(let id):
            return policy.lets.first { $0.id == id }.flatMap { lets[$0.name] }
        case .constant(let v):
            return meaning(of: v)
        case .unwrap(let inner):
            return inner.span.start == e.span.start ? meaning(of: inner) : nil
        case .field, .asOf, .periodBound, .not, .and, .or, .otherwise, .isMissing, .compare, .arith, .negate, .since, .inGroup,
             .inSet, .call, .ifElse, .caseOf, .aggregate, .error:
            return nil
        }
    }

    func meaning(of v: Value) -> SymbolKey? {
        switch v {
        case .enumeration(let t, let i):
            guard t >= 0, t < policy.enums.count, i >= 0, i < policy.enums[t].values.count else { return nil }
            return enumValues[policy.enums[t].name]?[policy.enums[t].values[i]]
        case .municipality(let m):
            guard m >= 0, m < policy.municipalities.count else { return nil }
            return municipalities[policy.municipalities[m].name]
        case .group(let g):
            if g < 0 {
                let m = -g - 1
                return m < policy.municipalities.count ? municipalities[policy.municipalities[m].name] : nil
            }
            if g < policy.groups.count { return groups[policy.groups[g].name] }
            let a = g - policy.groups.count
            return a < policy.areas.count ? areas[policy.areas[a].name] : nil
        case .missing, .bool, .int, .decimal, .percent, .money, .text, .date, .duration, .span, .set, .period:
            return nil
        }
    }

    // MARK: Names written in the policy's own files

    func add(_ k: SymbolKey?, _ span: Span, _ path: String, declaration: Bool = false) {
        guard let k else { return }
        occurrences.append(Occurrence(key: k, path: path, range: span.start..<span.end, isDeclaration: declaration))
    }

    func declared(_ kind: SymbolKind, _ name: Name, _ path: String) {
        add(key(kind, name, path), name.span, path, declaration: true)
    }

    /// A municipality, group or area.
    func place(_ n: String) -> SymbolKey? {
        municipalities[n] ?? groups[n] ?? areas[n]
    }

    func fieldType(_ name: String) -> LType? { policy.record?.field(name)?.type }

    func walk(_ decl: Declaration, file: SourceFile, path: String) {
        switch decl {
        case .importDecl(let i):
            let dir = Paths.normalize(Workspace.directory(of: path) + "/" + i.path)
            imports.append((path, i.span.start..<i.span.end, dir))
        case .area(let a):
            declared(.area, a.header.name, path)
            if let r = a.responsible { add(municipalities[r.text], r.span, path) }
            for m in a.municipalities { declared(.municipality, m.name, path) }
            for g in a.groups {
                declared(.group, g.header.name, path)
                for m in g.members { add(municipalities[m.text], m.span, path) }
            }
        case .record(let r):
            declared(.record, r.header.name, path)
            for f in r.fields {
                declared(.field, f.header.name, path)
                typeNames(f.type, path)
                let t = fieldType(f.header.name.text)
                for m in f.values { expr(m.value, expected: t?.base, path) }
                if let d = f.defaultValue { expr(d, expected: t, path) }
            }
        case .enumDecl(let e):
            declared(.enumeration, e.header.name, path)
            for v in e.values { declared(.enumValue, v.name, path) }
        case .outcome(let o):
            declared(.outcome, o.header.name, path)
            for d in o.destinations { declared(.destination, d.name, path) }
        case .param(let p):
            declared(.param, p.header.name, path)
            if let t = p.type { typeNames(t, path) }
            let type = policy.param(named: p.header.name.text)?.type
            expr(p.value, expected: type, path)
            for d in p.dated {
                expr(d.from, expected: .date, path)
                expr(d.value, expected: type, path)
            }
        case .letDecl(let l):
            declared(.let, l.header.name, path)
            expr(l.value, expected: nil, path)
        case .rule(let r):
            declared(.rule, r.header.name, path)
            for n in r.scope ?? [] { add(place(n.text), n.span, path) }
            if let c = r.condition { expr(c, expected: .bool, path) }
            for e in r.exceptions { expr(e.condition, expected: .bool, path) }
            for o in r.outcomes { outcome(o, path) }
            for v in r.variants {
                for n in v.scope + v.over { add(place(n.text), n.span, path) }
                if let c = v.condition { expr(c, expected: .bool, path) }
                for o in v.outcomes { outcome(o, path) }
            }
            if let f = r.effectiveFrom { expr(f, expected: .date, path) }
            if let u = r.effectiveUntil { expr(u, expected: .date, path) }
            if let o = r.overrides, !r.overridesSameName { add(importedRules[o.text], o.span, path) }
            for o in r.over { add(rules[o.text], o.span, path) }
        case .goal(let g):
            declared(.goal, g.header.name, path)
            for t in g.targets {
                declared(.target, t.header.name, path)
                if case .measured(let m) = t.source { expr(m, expected: nil, path) }
            }
        case .verdicts(let v):
            for item in v.items {
                if case .assessment(let name, _, _, _) = item { declared(.assessment, name, path) }
            }
        case .report(let r):
            if let s = r.suppressBelow { expr(s, expected: .int, path) }
        case .unit:
            break
        case .test(let t):
            for c in t.clients {
                if let b = c.base { add(fixtures[b.text], b.span, path) }
                fieldValues(c.fields, path)
            }
            for a in t.actuals {
                add(targets[a.target.text], a.target.span, path)
                if case .name(let n) = a.value.kind, let k = assessments[n] { add(k, a.value.span, path) }
            }
            for e in t.expectations {
                switch e.expectation {
                case .outcome(let o, _): outcome(o, path)
                case .holds(let x): expr(x, expected: .bool, path)
                case .targetStatus(let n, _): add(targets[n.text], n.span, path)
                case .goalVerdict(let n, _): add(goals[n.text], n.span, path)
                case .checkError: break
                }
            }
            for table in t.tables {
                var types: [LType?] = []
                for c in table.columns {
                    switch c {
                    case .name(let n):
                        if n.text == "as_of" {
                            types.append(.date)
                        } else if let f = fields[n.text] {
                            add(f, n.span, path)
                            types.append(fieldType(n.text))
                        } else if let l = lets[n.text] {
                            add(l, n.span, path)
                            types.append(policy.letDef(named: n.text)?.type)
                        } else {
                            types.append(nil)
                        }
                    case .outcome(let o):
                        outcome(o, path)
                        types.append(nil)
                    case .target(let n):
                        add(targets[n.text], n.span, path)
                        types.append(nil)
                    case .goal(let n):
                        add(goals[n.text], n.span, path)
                        types.append(nil)
                    }
                }
                for row in table.rows {
                    for (i, cell) in row.cells.enumerated() where i < types.count {
                        if let t = types[i] { expr(cell, expected: t, path) }
                    }
                }
            }
        case .fixture(let f):
            declared(.fixture, f.header.name, path)
            if let b = f.base { add(fixtures[b.text], b.span, path) }
            fieldValues(f.fields, path)
        }
    }

    func fieldValues(_ values: [FieldValue], _ path: String) {
        for v in values {
            add(fields[v.field.text], v.field.span, path)
            expr(v.value, expected: fieldType(v.field.text), path)
        }
    }

    func outcome(_ o: OutcomeRef, _ path: String) {
        add(outcomes[o.name.text], o.name.span, path)
        if let d = o.destination { add(destinations[o.name.text]?[d.text], d.span, path) }
    }

    func typeNames(_ t: TypeExpr, _ path: String) {
        switch t {
        case .named(let n): add(enums[n.text], n.span, path)
        case .optional(let inner, _), .setOf(let inner, _): typeNames(inner, path)
        case .inlineEnum(let values, _):
            for v in values { add(SymbolKey(kind: .enumValue, path: path, offset: v.name.span.start), v.name.span, path, declaration: true) }
        }
    }

    /// A bare name where a value stands, read as the checker reads it.
    func valueName(_ n: String, expected: LType?) -> SymbolKey? {
        if let exp = expected?.base {
            switch exp {
            case .enumeration(let id, _), .set(.enumeration(let id, _)):
                if id >= 0, id < policy.enums.count, let k = enumValues[policy.enums[id].name]?[n] { return k }
            case .municipality, .group:
                if let k = place(n) { return k }
            default:
                break
            }
        }
        if let k = params[n] ?? lets[n] ?? place(n) { return k }
        let owners = enumValues.values.compactMap { $0[n] }
        return owners.count == 1 ? owners[0] : nil
    }

    func expr(_ e: Expr, expected: LType?, _ path: String) {
        switch e.kind {
        case .name(let n):
            add(typed[typedKey(path, e.span.start)] ?? valueName(n, expected: expected), e.span, path)
        case .text(let t):
            if let k = typed[typedKey(path, e.span.start)] {
                add(k, e.span, path)
            } else if let exp = expected?.base, exp == .municipality || exp == .group {
                add(place(t.precomposedStringWithCanonicalMapping), e.span, path)
            }
        case .member(let base, let field):
            if case .name(let b) = base.kind, let r = record, decls[r]?.name == b {
                add(r, base.span, path)
                add(fields[field.text], field.span, path)
            } else {
                expr(base, expected: nil, path)
            }
        case .call(let name, let args):
            if let b = Builtin(rawValue: name.text) { builtinCalls.append((path, name.span.start..<name.span.end, b)) }
            for a in args { expr(a, expected: nil, path) }
        case .unary(_, let a), .since(let a), .isMissing(let a, _):
            expr(a, expected: nil, path)
        case .binary(_, let a, let b):
            expr(a, expected: nil, path)
            expr(b, expected: nil, path)
        case .isValue(let a, let b, _), .membership(let a, let b, _):
            expr(a, expected: nil, path)
            expr(b, expected: typeOf(a), path)
        case .ifElse(let a, let b, let c):
            expr(a, expected: .bool, path)
            expr(b, expected: expected, path)
            expr(c, expected: expected, path)
        case .caseOf(let s, let arms, let otherwise):
            expr(s, expected: nil, path)
            let st = typeOf(s)
            for arm in arms {
                for v in arm.values { expr(v, expected: st, path) }
                expr(arm.result, expected: expected, path)
            }
            if let o = otherwise { expr(o, expected: expected, path) }
        case .set(let items):
            var inner: LType?
            if case .set(let t)? = expected?.base { inner = t }
            for i in items { expr(i, expected: inner ?? expected, path) }
        case .aggregate(let a):
            if let f = a.filter { expr(f, expected: .bool, path) }
            if let f = a.among { expr(f, expected: .bool, path) }
            if let v = a.value { expr(v, expected: nil, path) }
            for r in a.ratio { expr(r, expected: nil, path) }
        case .bool, .number, .percent, .money, .duration, .date, .period, .asOf, .periodStart, .periodEnd, .missing, .error:
            break
        }
    }

    /// The type of a simple operand (`client.status`, a let, a param), for
    /// reading the names compared with it.
    func typeOf(_ e: Expr) -> LType? {
        switch e.kind {
        case .member(_, let f): return fieldType(f.text)
        case .name(let n): return policy.letDef(named: n)?.type ?? policy.param(named: n)?.type
        default: return nil
        }
    }

    // MARK: Queries

    /// The occurrence at a byte offset of one of the policy's own files.
    func occurrence(at offset: Int, in path: String) -> Occurrence? {
        var best: Occurrence?
        for o in occurrences where o.path == path && o.range.lowerBound <= offset && offset <= o.range.upperBound {
            // The innermost (shortest) wins; an exact start beats an end touch.
            if let b = best, b.range.count <= o.range.count { continue }
            best = o
        }
        return best
    }
}
