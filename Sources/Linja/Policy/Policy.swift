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
    public let fixtures: [Fixture]
    public let tests: [CheckedTest]

    let municipalityByName: [String: Int]
    let municipalityByCode: [String: Int]

    init(directory: String, root: String, units: [PolicyUnit], fingerprint: String, diagnostics: [Diagnostic],
         areas: [Area], municipalities: [Municipality], groups: [Group], enums: [EnumType], record: RecordType?,
         outcomes: [OutcomeDef], params: [ParamDef], lets: [LetDef], rules: [Rule], goals: [GoalDef],
         targets: [TargetDef], verdicts: VerdictPolicy?, report: ReportSettings, fixtures: [Fixture], tests: [CheckedTest]) {
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

    /// Loads and checks the policy in `directory` (with its imports).
    /// `replacing` gives other contents for files (by absolute path): mutation testing, editors.
    /// `parsed` keeps parses between loads (the language server).
    public static func load(directory: String, root: String? = nil, extraFiles: [SourceFile] = [],
                            replacing: [String: [UInt8]] = [:], parsed: ParsedFiles? = nil) -> Policy {
        let r = root ?? PolicyLoader.normalize(directory + "/..")
        let (units, loadDiagnostics) = PolicyLoader.load(directory: directory, root: r, extraFiles: extraFiles, replacing: replacing,
                                                         parsed: parsed)
        return Checker(directory: PolicyLoader.normalize(directory), root: r, units: units,
                       initialDiagnostics: loadDiagnostics).check()
    }
}

extension Policy {
    /// A constant written in Linja (`2 months`, `75 %`, `Keuruu`), typed
    /// against `type`: for `--param` overrides and REPL input.
    public func constant(_ text: String, as type: LType) -> Result<Value, ValueError> {
        let name = "__linja_constant"
        let annotation = Policy.typeName(type).map { ": \($0)" } ?? ""
        let file = SourceFile(path: "<value>", text: "param \(name)\(annotation) = \(text)\n")
        let probe = Policy.load(directory: directory, root: root, extraFiles: [file])
        let own = probe.diagnostics.filter { $0.severity == .error && $0.span.file?.path == "<value>" }
        if let d = own.first { return .failure(ValueError(message: d.message)) }
        guard let p = probe.param(named: name) else { return .failure(ValueError(message: "not a value")) }
        let ok: Bool
        switch (p.type.base, type.base) {
        case let (a, b) where a == b: ok = true
        case (.int, .decimal): ok = true
        case (.duration(let a), .duration(let b)): ok = a == b
        default: ok = false
        }
        guard ok else { return .failure(ValueError(message: "expected \(type.a), got \(p.type.a) ('\(text)')")) }
        if type.base == .decimal, case .int(let i) = p.base, let f = Fixed(integer: Int(i)) { return .success(.decimal(f)) }
        return .success(p.base)
    }
}

extension Policy {
    /// How a type is written in a rule file, where it can be.
    static func typeName(_ t: LType) -> String? {
        switch t {
        case .bool: return "bool"
        case .int: return "integer"
        case .decimal: return "decimal"
        case .text: return "text"
        case .date: return "date"
        case .percent: return "percentage"
        case .money: return "money"
        case .municipality: return "municipality"
        case .enumeration(_, let n): return n
        case .set(let inner): return typeName(inner).map { "set of \($0)" }
        case .optional(let inner): return typeName(inner).map { "\($0)?" }
        case .duration, .span, .group, .period, .error: return nil
        }
    }
}

public struct ValueError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
