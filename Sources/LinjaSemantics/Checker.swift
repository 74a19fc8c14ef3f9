import Foundation
import LinjaBase
import LinjaSyntax
import LinjaModel

/// Checks a loaded policy and builds the `Policy` model. The checker is an
/// ordered list of named passes, each adding diagnostics or facts; every
/// error in every file is reported in one run.
final class Checker {
    let directory: String
    let root: String
    let units: [PolicyUnit]
    var diags = DiagnosticBag()

    // Declarations by kind, after imports and overrides are resolved.
    struct Decl<T> {
        var node: T
        var unit: Int
        var span: Span
    }
    var areaDecls: [Decl<AreaDecl>] = []
    var recordDecls: [Decl<RecordDecl>] = []
    var enumDecls: [String: Decl<EnumDecl>] = [:]
    var outcomeDecls: [String: Decl<OutcomeDecl>] = [:]
    var paramDecls: [String: Decl<ParamDecl>] = [:]
    var letDecls: [String: Decl<LetDecl>] = [:]
    var ruleDecls: [String: Decl<RuleDecl>] = [:]
    var goalDecls: [String: Decl<GoalDecl>] = [:]
    var verdictDecls: [Decl<VerdictsDecl>] = []
    var reportDecls: [Decl<ReportDecl>] = []
    var unitDecls: [Decl<UnitDecl>] = []
    var unitDefs: [UnitDef] = []
    var fixtureDecls: [String: Decl<FixtureDecl>] = [:]
    var testDecls: [Decl<TestDecl>] = []
    // Declaration order, for stable output.
    var order: [String: Int] = [:]
    var orderCounter = 0

    // Built model.
    var areas: [Area] = []
    var municipalities: [Municipality] = []
    var municipalityIndex: [String: Int] = [:]
    var groups: [Group] = []
    var groupIndex: [String: Int] = [:]
    var areaIndex: [String: Int] = [:]
    var enums: [EnumType] = []
    var enumIndex: [String: Int] = [:]
    var record: RecordType?
    var fieldIndex: [String: Int] = [:]
    var outcomes: [OutcomeDef] = []
    var outcomeIndex: [String: Int] = [:]
    var params: [ParamDef] = []
    var paramIndex: [String: Int] = [:]
    var lets: [LetDef?] = []
    var letIndex: [String: Int] = [:]
    var letState: [Int: LetState] = [:]
    var letStack: [Int] = []
    /// `letUsesClient`'s answers, by let.
    var letReadsClient: [Int: Bool] = [:]
    var letOrder: [String] = []
    var letList: [(String, Decl<LetDecl>)] = []
    var rules: [Rule] = []
    var ruleIndex: [String: Int] = [:]
    var goals: [GoalDef] = []
    var targets: [TargetDef] = []
    var targetIndex: [String: Int] = [:]
    var goalIndex: [String: Int] = [:]
    var verdicts: VerdictPolicy?
    var report = ReportSettings(suppressBelow: 5, sampleClients: nil, sampleActuals: nil, sampleAsOf: nil, samplePeriod: nil)
    var fixtures: [Fixture] = []
    var tests: [CheckedTest] = []
    /// All municipalities of the policy's areas.
    var allMunicipalities = MunicipalitySet()

    enum LetState { case checking, done }

    init(directory: String, root: String, units: [PolicyUnit], initialDiagnostics: [Diagnostic]) {
        self.directory = directory
        self.root = root
        self.units = units
        diags.add(contentsOf: initialDiagnostics)
        for u in units { for f in u.files { diags.add(contentsOf: f.diagnostics) } }
    }

    var localUnit: Int { units.count - 1 }

    /// The passes, in order.
    var passes: [(name: String, run: (Checker) -> Void)] {
        [
            ("collect declarations", { $0.collectDeclarations() }),
            ("areas and municipalities", { $0.checkAreas() }),
            ("enumerations", { $0.checkEnums() }),
            ("record", { $0.checkRecord() }),
            ("outcome vocabulary", { $0.checkOutcomes() }),
            ("params", { $0.checkParams() }),
            ("lets", { $0.checkLets() }),
            ("rules", { $0.checkRules() }),
            ("conflicts", { $0.checkConflicts() }),
            ("units", { $0.checkUnits() }),
            ("goals and targets", { $0.checkGoals() }),
            ("verdict policy", { $0.checkVerdicts() }),
            ("report settings", { $0.checkReport() }),
            ("fixtures and tests", { $0.checkTests() }),
        ]
    }

    /// Runs every pass and builds the policy. The fingerprint is the rule
    /// text's unless the caller has one (the REPL's, combining its input).
    func check(fingerprint: String? = nil) -> Policy {
        for pass in passes { pass.run(self) }
        return Policy(directory: directory, root: root, units: units,
                      fingerprint: fingerprint ?? PolicyUnit.fingerprint(units),
                      diagnostics: diags.sorted, areas: areas, municipalities: municipalities, groups: groups,
                      enums: enums, record: record, outcomes: outcomes, params: params,
                      lets: lets.compactMap { $0 }, rules: rules, goals: goals, targets: targets,
                      verdicts: verdicts, report: report, fixtures: fixtures, tests: tests, unitWords: unitDefs)
    }

    // MARK: - Collecting declarations, imports and overrides

    /// Registers a named declaration: a second one in the same policy is an
    /// error; one replacing an imported declaration must say `overrides`.
    func register<T>(_ table: inout [String: Decl<T>], _ kind: String, name: Name, node: T, unit: Int,
                     span: Span, overrides: Bool) {
        if let existing = table[name.text] {
            if existing.unit == unit {
                diags.error(.duplicateDeclaration, "\(kind) `\(name.text)` is declared twice", at: name.span,
                            notes: [DiagnosticNote("first declared here", at: existing.span)])
                return
            }
            if unit == localUnit, existing.unit != localUnit {
                if !overrides {
                    diags.error(.silentOverride, "\(kind) `\(name.text)` is already declared in an imported policy", at: name.span,
                                notes: [DiagnosticNote("imported from here", at: existing.span)],
                                help: "say `overrides` to replace the imported \(kind)")
                    return
                }
                table[name.text] = Decl(node: node, unit: unit, span: span)
                return
            }
            diags.error(.duplicateDeclaration, "\(kind) `\(name.text)` is declared by two imported policies", at: name.span,
                        notes: [DiagnosticNote("also declared here", at: existing.span)])
            return
        }
        if overrides {
            diags.error(.overrideWithoutTarget, "\(kind) `\(name.text)` says `overrides` but no import declares it", at: name.span,
                        help: "remove `overrides`")
        }
        table[name.text] = Decl(node: node, unit: unit, span: span)
        order["\(kind):\(name.text)"] = orderCounter
        orderCounter += 1
    }

    func collectDeclarations() {
        var ruleOverrides: [(name: Name, target: Name, unit: Int)] = []
        for (ui, unit) in units.enumerated() {
            for file in unit.files {
                for decl in file.declarations {
                    switch decl {
                    case .importDecl: break
                    case .area(let a): areaDecls.append(Decl(node: a, unit: ui, span: a.header.span))
                    case .record(let r): recordDecls.append(Decl(node: r, unit: ui, span: r.header.span))
                    case .enumDecl(let e):
                        register(&enumDecls, "enumeration", name: e.header.name, node: e, unit: ui, span: e.header.span, overrides: false)
                    case .outcome(let o):
                        register(&outcomeDecls, "outcome", name: o.header.name, node: o, unit: ui, span: o.header.span, overrides: false)
                    case .param(let p):
                        if let l = letDecls[p.header.name.text] {
                            diags.error(.duplicateDeclaration, "`\(p.header.name.text)` is already a let", at: p.header.name.span,
                                        notes: [DiagnosticNote("the let is declared here", at: l.span)])
                        }
                        register(&paramDecls, "param", name: p.header.name, node: p, unit: ui, span: p.header.span, overrides: p.overrides)
                    case .letDecl(let l):
                        if let p = paramDecls[l.header.name.text] {
                            diags.error(.duplicateDeclaration, "`\(l.header.name.text)` is already a param", at: l.header.name.span,
                                        notes: [DiagnosticNote("the param is declared here", at: p.span)])
                        }
                        register(&letDecls, "let", name: l.header.name, node: l, unit: ui, span: l.header.span, overrides: l.overrides)
                        letOrder.append(l.header.name.text)
                    case .rule(let r):
                        if let target = r.overrides, !r.overridesSameName {
                            ruleOverrides.append((r.header.name, target, ui))
                        }
                        register(&ruleDecls, "rule", name: r.header.name, node: r, unit: ui, span: r.header.span,
                                 overrides: r.overridesSameName)
                    case .goal(let g):
                        register(&goalDecls, "goal", name: g.header.name, node: g, unit: ui, span: g.header.span, overrides: false)
                    case .verdicts(let v): verdictDecls.append(Decl(node: v, unit: ui, span: v.span))
                    case .report(let r): reportDecls.append(Decl(node: r, unit: ui, span: r.span))
                    case .unit(let u): unitDecls.append(Decl(node: u, unit: ui, span: u.span))
                    case .test(let t): testDecls.append(Decl(node: t, unit: ui, span: t.span))
                    case .fixture(let f):
                        register(&fixtureDecls, "fixture", name: f.header.name, node: f, unit: ui, span: f.header.span, overrides: false)
                    }
                }
            }
        }
        // `rule new overrides old`: the imported rule `old` is replaced.
        for o in ruleOverrides {
            if let existing = ruleDecls[o.target.text], existing.unit != o.unit {
                ruleDecls[o.target.text] = nil
            } else {
                diags.error(.overrideWithoutTarget, "rule `\(o.name.text)` overrides `\(o.target.text)`, which no import declares",
                            at: o.target.span, help: Suggest.closest(o.target.text, among: ruleDecls.keys).map { "did you mean `\($0)`?" })
            }
        }
    }

    func sortedByOrder<T>(_ table: [String: Decl<T>], _ kind: String) -> [(String, Decl<T>)] {
        table.sorted { (order["\(kind):\($0.key)"] ?? 0) < (order["\(kind):\($1.key)"] ?? 0) }
    }

    // MARK: - Areas, municipalities, groups

    func checkAreas() {
        for d in areaDecls {
            let a = d.node
            let areaID = areas.count
            if areaIndex[a.header.name.text] != nil {
                diags.error(.duplicateDeclaration, "area `\(a.header.name.text)` is declared twice", at: a.header.name.span)
                continue
            }
            var members = MunicipalitySet()
            for entry in a.municipalities {
                if let existing = municipalityIndex[entry.name.text] {
                    let other = areas.indices.contains(municipalities[existing].area) ? areas[municipalities[existing].area].name : a.header.name.text
                    diags.error(.areaStructure, "municipality `\(entry.name.text)` is already in area `\(other)`", at: entry.name.span,
                                notes: [DiagnosticNote("first listed here", at: municipalities[existing].span)])
                    continue
                }
                let id = municipalities.count
                municipalities.append(Municipality(id: id, name: entry.name.text, code: entry.code, area: areaID, span: entry.name.span))
                municipalityIndex[entry.name.text] = id
                members.insert(id)
            }
            if a.municipalities.isEmpty {
                diags.error(.areaStructure, "area `\(a.header.name.text)` lists no municipalities", at: a.header.name.span,
                            help: "add `municipalities A, B, …`")
            }
            var responsible: Int?
            if let r = a.responsible {
                if let id = municipalityIndex[r.text], members.contains(id) {
                    responsible = id
                } else {
                    diags.error(.areaStructure, "the responsible municipality `\(r.text)` is not among the area's municipalities",
                                at: r.span, help: suggestion(r.text, among: a.municipalities.map(\.name.text)))
                }
            }
            areaIndex[a.header.name.text] = areaID
            var groupIDs: [Int] = []
            for g in a.groups {
                var gm = MunicipalitySet()
                for m in g.members {
                    if let id = municipalityIndex[m.text], members.contains(id) {
                        gm.insert(id)
                    } else {
                        diags.error(.unknownMunicipality, "group `\(g.header.name.text)`: `\(m.text)` is not a municipality of area `\(a.header.name.text)`",
                                    at: m.span, help: suggestion(m.text, among: a.municipalities.map(\.name.text)))
                    }
                }
                if groupIndex[g.header.name.text] != nil || municipalityIndex[g.header.name.text] != nil {
                    diags.error(.duplicateDeclaration, "`\(g.header.name.text)` is already declared", at: g.header.name.span)
                    continue
                }
                let gid = groups.count
                groups.append(Group(id: gid, name: g.header.name.text, label: g.header.label, members: gm, area: areaID, span: g.header.name.span))
                groupIndex[g.header.name.text] = gid
                groupIDs.append(gid)
            }
            areas.append(Area(id: areaID, name: a.header.name.text, label: a.header.label, responsible: responsible,
                              municipalities: members, groups: groupIDs, span: a.header.span,
                              sources: a.header.attribute(.source)))
            allMunicipalities = allMunicipalities.union(members)
        }
    }

    func suggestion(_ word: String, among candidates: [String]) -> String? {
        Suggest.closest(word, among: candidates).map { "did you mean `\($0)`?" }
    }

    /// Resolves a scope name: a municipality, a group or an area.
    func resolveScope(_ n: Name) -> (set: MunicipalitySet, specificity: Int)? {
        if let m = municipalityIndex[n.text] { return (MunicipalitySet([m]), 3) }
        if let g = groupIndex[n.text] { return (groups[g].members, 2) }
        if let a = areaIndex[n.text] { return (areas[a].municipalities, 1) }
        let all = municipalities.map(\.name) + groups.map(\.name) + areas.map(\.name)
        diags.error(.unknownMunicipality, "`\(n.text)` is not a municipality, group or area of this policy", at: n.span,
                    help: suggestion(n.text, among: all))
        return nil
    }

    // MARK: - Enumerations and the record

    func checkEnums() {
        for (_, d) in sortedByOrder(enumDecls, "enumeration") {
            registerEnum(name: d.node.header.name.text, label: d.node.header.label, values: d.node.values, span: d.node.header.span)
        }
    }

    @discardableResult
    func registerEnum(name: String, label: String?, values: [EnumValueDecl], span: Span) -> Int {
        var seen: [String: Span] = [:]
        var names: [String] = []
        var labels: [String?] = []
        for v in values {
            if let s = seen[v.name.text] {
                diags.error(.duplicateDeclaration, "enumeration `\(name)` lists `\(v.name.text)` twice", at: v.name.span,
                            notes: [DiagnosticNote("first listed here", at: s)])
                continue
            }
            seen[v.name.text] = v.name.span
            names.append(v.name.text)
            labels.append(v.label)
        }
        let id = enums.count
        enums.append(EnumType(id: id, name: name, label: label, values: names, labels: labels, span: span))
        enumIndex[name] = id
        return id
    }

    func checkRecord() {
        let local = recordDecls.filter { $0.unit == localUnit }
        let chosen: Decl<RecordDecl>?
        if recordDecls.count > 1 {
            if local.count == 1, recordDecls.count == 2 {
                chosen = local[0]
                diags.error(.silentOverride, "record `\(local[0].node.header.name.text)` replaces the imported record", at: local[0].node.header.name.span,
                            notes: [DiagnosticNote("imported record", at: recordDecls[0].span)],
                            help: "a policy has one record; extend the imported one instead")
            } else {
                for d in recordDecls.dropFirst() {
                    diags.error(.recordCount, "a policy has one record; `\(d.node.header.name.text)` is a second", at: d.node.header.name.span,
                                notes: [DiagnosticNote("the first record", at: recordDecls[0].span)])
                }
                chosen = recordDecls.first
            }
        } else {
            chosen = recordDecls.first
        }
        guard let rd = chosen?.node else { return }
        var fields: [Field] = []
        for f in rd.fields {
            if fieldIndex[f.header.name.text] != nil {
                diags.error(.duplicateDeclaration, "field `\(f.header.name.text)` is declared twice", at: f.header.name.span)
                continue
            }
            let type = resolveType(f.type, fieldName: f.header.name.text)
            var columns = [f.header.name.text]
            for c in f.columns where !columns.contains(c) { columns.append(c) }
            let slot = fields.count
            var field = Field(slot: slot, name: f.header.name.text, label: f.header.label, type: type, columns: columns,
                              valueMap: [:], defaultValue: nil, span: f.header.name.span)
            if let clause = f.notAfterAsOf {
                if type.base == .date || type.isError {
                    field.notAfterAsOf = clause
                } else {
                    diags.error(.typeMismatch, "`not after as_of` needs a date, and field `\(f.header.name.text)` is \(type.a)", at: clause,
                                help: "only a date can lie after the evaluation date")
                }
            }
            fields.append(field)
            fieldIndex[f.header.name.text] = slot
        }
        record = RecordType(name: rd.header.name.text, label: rd.header.label, fields: fields, span: rd.header.span)
        // Value maps and defaults are constants of the field's type.
        for f in rd.fields {
            guard let slot = fieldIndex[f.header.name.text] else { continue }
            let ft = fields[slot].type
            var map: [String: Value] = [:]
            for m in f.values {
                if let v = constantValue(m.value, as: ft.base, what: "a value of field `\(f.header.name.text)`") {
                    map[m.code.precomposedNFC] = v
                }
            }
            fields[slot].valueMap = map
            if let d = f.defaultValue {
                fields[slot].defaultValue = constantValue(d, as: ft, what: "the default of field `\(f.header.name.text)`")
            }
        }
        record?.fields = fields
    }

    func resolveType(_ t: TypeExpr, fieldName: String) -> LType {
        switch t {
        case .optional(let inner, _): return .optional(resolveType(inner, fieldName: fieldName))
        case .setOf(let inner, _): return .set(resolveType(inner, fieldName: fieldName))
        case .inlineEnum(let values, let span):
            let id = registerEnum(name: fieldName, label: nil, values: values, span: span)
            return .enumeration(id: id, name: fieldName)
        case .named(let n):
            switch n.text {
            case "bool": return .bool
            case "int", "integer": return .int
            case "decimal": return .decimal
            case "text": return .text
            case "date": return .date
            case "percentage", "percent": return .percent
            case "money": return .money
            case "municipality": return .municipality
            case "duration": return .duration(.days)
            default:
                if let id = enumIndex[n.text] { return .enumeration(id: id, name: n.text) }
                let builtins = ["bool", "integer", "decimal", "text", "date", "percentage", "money", "municipality"]
                diags.error(.unknownName, "unknown type `\(n.text)`", at: n.span,
                            help: suggestion(n.text, among: builtins + Array(enumIndex.keys)) ?? "types are \(builtins.joined(separator: ", ")) and declared enumerations")
                return .error
            }
        }
    }

    // MARK: - Outcomes

    func checkOutcomes() {
        for (_, d) in sortedByOrder(outcomeDecls, "outcome") {
            let o = d.node
            if o.kind == .refer, o.destinations.isEmpty {
                diags.error(.outcomeForm, "`refer \(o.header.name.text)` declares no destinations", at: o.header.name.span,
                            help: "say where clients are referred: `outcome refer \(o.header.name.text) to area_coach, municipal_coach`")
            }
            if o.kind != .refer, !o.destinations.isEmpty {
                diags.error(.outcomeForm, "only `refer` outcomes have destinations", at: o.destinations[0].name.span)
            }
            var seen = Set<String>()
            for dst in o.destinations where !seen.insert(dst.name.text).inserted {
                diags.error(.duplicateDeclaration, "destination `\(dst.name.text)` is listed twice", at: dst.name.span)
            }
            let id = outcomes.count
            outcomes.append(OutcomeDef(id: id, kind: o.kind, name: o.header.name.text, label: o.header.label,
                                       destinations: o.destinations.map(\.name.text), destinationLabels: o.destinations.map(\.label),
                                       span: o.header.span))
            outcomeIndex[o.header.name.text] = id
        }
    }

    /// Resolves `kind name [to destination]`.
    func resolveOutcome(_ r: OutcomeRef, requireDestination: Bool) -> GivenOutcome? {
        guard let id = outcomeIndex[r.name.text] else {
            let same = outcomes.filter { $0.kind == r.kind }.map(\.name)
            diags.error(.unknownOutcome, "unknown outcome `\(r.kind.rawValue) \(r.name.text)`", at: r.name.span,
                        help: suggestion(r.name.text, among: same.isEmpty ? outcomes.map(\.name) : same)
                            ?? "declare it: `outcome \(r.kind.rawValue) \(r.name.text) \"…\"`")
            return nil
        }
        let o = outcomes[id]
        if o.kind != r.kind {
            diags.error(.outcomeForm, "`\(r.name.text)` is declared as `\(o.kind.rawValue)`, not `\(r.kind.rawValue)`", at: r.span,
                        notes: [DiagnosticNote("declared here", at: o.span)], help: "write `\(o.kind.rawValue) \(r.name.text)`")
            return nil
        }
        var dest: Int?
        if let d = r.destination {
            if o.kind != .refer {
                diags.error(.outcomeForm, "only `refer` outcomes have a destination", at: d.span)
                return nil
            }
            guard let di = o.destinations.firstIndex(of: d.text) else {
                diags.error(.unknownOutcome, "`refer \(o.name)` has no destination `\(d.text)`", at: d.span,
                            notes: [DiagnosticNote("declared here", at: o.span)],
                            help: suggestion(d.text, among: o.destinations) ?? "its destinations are \(o.destinations.map { "`\($0)`" }.joined(separator: ", "))")
                return nil
            }
            dest = di
        } else if o.kind == .refer, requireDestination {
            diags.error(.outcomeForm, "`refer \(o.name)` needs a destination", at: r.span,
                        help: "write `refer \(o.name) to \(o.destinations.first ?? "…")`")
            return nil
        }
        return GivenOutcome(outcome: id, destination: dest, span: r.span)
    }
}
