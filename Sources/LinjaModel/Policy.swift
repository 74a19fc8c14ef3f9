import LinjaBase
import LinjaSyntax

/// A checked policy: a directory of rule files and its imports, with every
/// name resolved and every expression typed. Immutable once built, so it may
/// be shared across threads.
public final class Policy: @unchecked Sendable {
    public let directory: String
    public let root: String
    public let units: [PolicyUnit]
    public let fingerprint: String
    public let diagnostics: [Diagnostic]

    public let areas: [Area]
    public let municipalities: [Municipality]
    public let groups: [Group]
    public let enums: [EnumType]
    public let record: RecordType?
    public let outcomes: [OutcomeDef]
    public let params: [ParamDef]
    public let lets: [LetDef]
    public let rules: [Rule]
    public let goals: [GoalDef]
    public let targets: [TargetDef]
    public let verdicts: VerdictPolicy?
    public let report: ReportSettings
    /// Unit words with their forms after 1 and after other numbers.
    public let unitWords: [UnitDef]
    public let fixtures: [Fixture]
    public let tests: [CheckedTest]
    /// Params given other values for one run (`--param`), as `name = value`,
    /// sorted by name; empty for the policy as written. They are part of
    /// `fingerprint` (see `withOverrides`).
    public private(set) var paramOverrides: [(name: String, value: String)] = []

    let municipalityByName: [String: Int]
    let municipalityByCode: [String: Int]

    package init(directory: String, root: String, units: [PolicyUnit], fingerprint: String, diagnostics: [Diagnostic],
         areas: [Area], municipalities: [Municipality], groups: [Group], enums: [EnumType], record: RecordType?,
         outcomes: [OutcomeDef], params: [ParamDef], lets: [LetDef], rules: [Rule], goals: [GoalDef],
         targets: [TargetDef], verdicts: VerdictPolicy?, report: ReportSettings, fixtures: [Fixture], tests: [CheckedTest],
         unitWords: [UnitDef] = []) {
        self.unitWords = unitWords
        self.directory = directory
        self.root = root
        self.units = units
        self.fingerprint = fingerprint
        self.diagnostics = diagnostics
        self.areas = areas
        self.municipalities = municipalities
        self.groups = groups
        self.enums = enums
        self.record = record
        self.outcomes = outcomes
        self.params = params
        self.lets = lets
        self.rules = rules
        self.goals = goals
        self.targets = targets
        self.verdicts = verdicts
        self.report = report
        self.fixtures = fixtures
        self.tests = tests
        var byName: [String: Int] = [:]
        var byCode: [String: Int] = [:]
        for m in municipalities {
            byName[m.name] = m.id
            if let c = m.code { byCode[c] = m.id }
        }
        self.municipalityByName = byName
        self.municipalityByCode = byCode
    }

    /// The same policy with params overridden for one run: its fingerprint
    /// is SHA-256 over the rule files' fingerprint and each `name = value`,
    /// so every output made with overrides carries an id of its own (never
    /// the default run's), and `paramOverrides` lists them. With no
    /// overrides, the policy itself.
    public func withOverrides(_ overrides: [Int: Value]) -> Policy {
        guard !overrides.isEmpty else { return self }
        let formatter = ValueFormatter(policy: self)
        let listed = overrides.compactMap { id, v in id < params.count ? (name: params[id].name, value: formatter.text(v)) : nil }
            .sorted { $0.name < $1.name }
        var h = SHA256Hasher()
        h.update(Array("\(fingerprint)\n".utf8))
        for o in listed { h.update(Array("param \(o.name) = \(o.value)\n".utf8)) }
        let copy = Policy(directory: directory, root: root, units: units, fingerprint: SHA256.hexString(h.finalize()),
                          diagnostics: diagnostics, areas: areas, municipalities: municipalities, groups: groups, enums: enums,
                          record: record, outcomes: outcomes, params: params, lets: lets, rules: rules, goals: goals,
                          targets: targets, verdicts: verdicts, report: report, fixtures: fixtures, tests: tests)
        copy.paramOverrides = listed
        return copy
    }

    /// "career_guidance_after = 2 months, …": the overrides as a reader sees them.
    public var overridesText: String {
        paramOverrides.map { "\($0.name) = \($0.value)" }.joined(separator: ", ")
    }

    /// The overrides as a JSON object, `{"name": "value"}`.
    public var overridesJSON: JSON {
        .object(paramOverrides.map { ($0.name, .string($0.value)) })
    }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
    public var shortFingerprint: String { String(fingerprint.prefix(12)) }

    /// The policy's own name: its directory's last component.
    public var name: String { String(directory.split(separator: "/").last ?? "policy") }

    public func municipality(named n: String) -> Int? { municipalityByName[n] }
    public func municipality(code c: String) -> Int? { municipalityByCode[c] }
    public func outcome(named n: String) -> OutcomeDef? { outcomes.first { $0.name == n } }
    public func rule(named n: String) -> Rule? { rules.first { $0.name == n } }
    public func target(named n: String) -> TargetDef? { targets.first { $0.name == n } }
    public func goal(named n: String) -> GoalDef? { goals.first { $0.name == n } }
    public func param(named n: String) -> ParamDef? { params.first { $0.name == n } }
    public func letDef(named n: String) -> LetDef? { lets.first { $0.name == n } }
}

/// A unit word's two forms: after the number 1 (`tapahtuma`) and after any
/// other number (`tapahtumaa`), as a Finnish reader expects.
public struct UnitDef: Sendable, Equatable {
    public var one: String
    public var other: String
    public var span: Span

    package init(one: String, other: String, span: Span) {
        self.one = one
        self.other = other
        self.span = span
    }

    /// The form that goes after `number` written as text: `one` after exactly
    /// 1 (a whole one: "1 tapahtuma"), `other` after any other number,
    /// decimals included ("1,5 tapahtumaa", "0 tapahtumaa").
    public func form(after number: String) -> String {
        number == "1" ? one : other
    }
}

extension Policy {
    /// The declared unit a target's unit word belongs to (either form).
    public func unit(named word: String) -> UnitDef? {
        unitWords.first { $0.one == word || $0.other == word }
    }

    /// `word` in the form that goes after `number` (as text), when a unit
    /// declaration gives its forms; else the word as written.
    public func unitWord(_ word: String, after number: String) -> String {
        unit(named: word)?.form(after: number) ?? word
    }
}
