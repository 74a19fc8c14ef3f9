import LinjaBase
import LinjaSyntax

/// The checked policy: what a policy directory and its imports declare,
/// with every name resolved. Built by `Checker`; read by both evaluators,
/// the goal engine, the test runner and the tools.

/// A set of municipalities as a bitset over their ids.
public struct MunicipalitySet: Hashable, Sendable {
    public var words: [UInt64]
    public init() { words = [] }
    public init<S: Sequence>(_ ids: S) where S.Element == Int {
        words = []
        for i in ids { insert(i) }
    }
    public mutating func insert(_ i: Int) {
        guard i >= 0 else { return }
        let w = i / 64
        while words.count <= w { words.append(0) }
        words[w] |= 1 << UInt64(i % 64)
    }
    public func contains(_ i: Int) -> Bool {
        guard i >= 0 else { return false }
        let w = i / 64
        return w < words.count && words[w] & (1 << UInt64(i % 64)) != 0
    }
    public var isEmpty: Bool { words.allSatisfy { $0 == 0 } }
    public var ids: [Int] {
        var out: [Int] = []
        for (w, word) in words.enumerated() where word != 0 {
            for b in 0..<64 where word & (1 << UInt64(b)) != 0 { out.append(w * 64 + b) }
        }
        return out
    }
    public func intersection(_ o: MunicipalitySet) -> MunicipalitySet {
        var r = MunicipalitySet()
        r.words = zip(words, o.words).map { $0 & $1 }
        return r
    }
    public func union(_ o: MunicipalitySet) -> MunicipalitySet {
        var r = MunicipalitySet()
        let n = max(words.count, o.words.count)
        r.words = (0..<n).map { (($0 < words.count) ? words[$0] : 0) | (($0 < o.words.count) ? o.words[$0] : 0) }
        return r
    }
    public func subtracting(_ o: MunicipalitySet) -> MunicipalitySet {
        var r = self
        for i in 0..<min(words.count, o.words.count) { r.words[i] &= ~o.words[i] }
        return r
    }
    public func isSubset(of o: MunicipalitySet) -> Bool { subtracting(o).isEmpty }
    public static func == (a: MunicipalitySet, b: MunicipalitySet) -> Bool {
        let n = max(a.words.count, b.words.count)
        for i in 0..<n where (i < a.words.count ? a.words[i] : 0) != (i < b.words.count ? b.words[i] : 0) { return false }
        return true
    }
    public func hash(into h: inout Hasher) { h.combine(ids) }
}

public struct Municipality: Sendable {
    public var id: Int
    public var name: String
    public var code: String?
    public var area: Int
    public var span: Span

    package init(id: Int, name: String, code: String?, area: Int, span: Span) {
        self.id = id
        self.name = name
        self.code = code
        self.area = area
        self.span = span
    }
}

public struct Group: Sendable {
    public var id: Int
    public var name: String
    public var label: String?
    public var members: MunicipalitySet
    public var area: Int
    public var span: Span

    package init(id: Int, name: String, label: String?, members: MunicipalitySet, area: Int, span: Span) {
        self.id = id
        self.name = name
        self.label = label
        self.members = members
        self.area = area
        self.span = span
    }
}

public struct Area: Sendable {
    public var id: Int
    public var name: String
    public var label: String?
    public var responsible: Int?
    public var municipalities: MunicipalitySet
    public var groups: [Int]
    public var span: Span
    public var sources: [String]

    package init(id: Int, name: String, label: String?, responsible: Int?, municipalities: MunicipalitySet, groups: [Int], span: Span, sources: [String]) {
        self.id = id
        self.name = name
        self.label = label
        self.responsible = responsible
        self.municipalities = municipalities
        self.groups = groups
        self.span = span
        self.sources = sources
    }
}

public struct EnumType: Sendable {
    public var id: Int
    public var name: String
    public var label: String?
    public var values: [String]
    public var labels: [String?]
    public var span: Span
    public func index(of v: String) -> Int? { values.firstIndex(of: v) }

    package init(id: Int, name: String, label: String?, values: [String], labels: [String?], span: Span) {
        self.id = id
        self.name = name
        self.label = label
        self.values = values
        self.labels = labels
        self.span = span
    }
}

public struct Field: Sendable {
    public var slot: Int
    public var name: String
    public var label: String?
    public var type: LType
    /// Column names the field is read from (its own name first).
    public var columns: [String]
    /// Data codes mapped to values (`"249"` → Keuruu).
    public var valueMap: [String: Value]
    public var defaultValue: Value?
    public var span: Span
    /// `not after as_of`: a value after the evaluation date makes the client
    /// one that cannot be decided (a birth date in the future is a data
    /// error, not a client who is -7,973 years old). Where it is declared.
    public var notAfterAsOf: Span? = nil
    public var required: Bool { !type.isOptional }

    /// The error for a client whose value of this field is `day`, after `asOf`.
    public func afterAsOf(_ day: Day, asOf: Day) -> EvalError {
        EvalError(message: "`\(name)` is \(day), after as_of \(asOf) (the record says `not after as_of`)",
                  span: notAfterAsOf ?? span)
    }

    package init(slot: Int, name: String, label: String?, type: LType, columns: [String], valueMap: [String: Value], defaultValue: Value?, span: Span) {
        self.slot = slot
        self.name = name
        self.label = label
        self.type = type
        self.columns = columns
        self.valueMap = valueMap
        self.defaultValue = defaultValue
        self.span = span
    }
}

public struct RecordType: Sendable {
    public var name: String
    public var label: String?
    public var fields: [Field]
    public var span: Span
    public init(name: String, label: String?, fields: [Field], span: Span) {
        self.name = name
        self.label = label
        self.fields = fields
        self.span = span
    }
    public func field(_ name: String) -> Field? { fields.first { $0.name == name } }
}

public struct OutcomeDef: Sendable {
    public var id: Int
    public var kind: OutcomeKind
    public var name: String
    public var label: String?
    public var destinations: [String]
    public var destinationLabels: [String?]
    public var span: Span
    public var display: String { "\(kind.rawValue) \(name)" }

    package init(id: Int, kind: OutcomeKind, name: String, label: String?, destinations: [String], destinationLabels: [String?], span: Span) {
        self.id = id
        self.kind = kind
        self.name = name
        self.label = label
        self.destinations = destinations
        self.destinationLabels = destinationLabels
        self.span = span
    }
}

public struct ParamDef: Sendable {
    public var id: Int
    public var name: String
    public var label: String?
    public var type: LType
    public var base: Value
    /// Values in force from a date on, ascending.
    public var dated: [(from: Day, value: Value)]
    public var span: Span
    public var valueSpans: [Span]
    public var sources: [String]
    public var assumptions: [String]

    /// The value in force on a date.
    public func value(on day: Day) -> Value {
        var v = base
        for d in dated where d.from <= day { v = d.value }
        return v
    }

    package init(id: Int, name: String, label: String?, type: LType, base: Value, dated: [(from: Day, value: Value)], span: Span, valueSpans: [Span], sources: [String], assumptions: [String]) {
        self.id = id
        self.name = name
        self.label = label
        self.type = type
        self.base = base
        self.dated = dated
        self.span = span
        self.valueSpans = valueSpans
        self.sources = sources
        self.assumptions = assumptions
    }
}

public struct LetDef: Sendable {
    public var id: Int
    public var name: String
    public var label: String?
    public var expr: TExpr
    public var span: Span
    public var sources: [String]
    public var assumptions: [String]
    public var type: LType { expr.type }

    package init(id: Int, name: String, label: String?, expr: TExpr, span: Span, sources: [String], assumptions: [String]) {
        self.id = id
        self.name = name
        self.label = label
        self.expr = expr
        self.span = span
        self.sources = sources
        self.assumptions = assumptions
    }
}

public struct GivenOutcome: Sendable {
    public var outcome: Int
    /// Index into the outcome's destinations (for `refer`).
    public var destination: Int?
    public var span: Span

    package init(outcome: Int, destination: Int?, span: Span) {
        self.outcome = outcome
        self.destination = destination
        self.span = span
    }
}

public struct RuleException: Sendable {
    public var condition: TExpr
    public var label: String?
    public var span: Span

    package init(condition: TExpr, label: String?, span: Span) {
        self.condition = condition
        self.label = label
        self.span = span
    }
}

public struct RuleVariant: Sendable {
    public var index: Int
    public var scope: MunicipalitySet
    /// The scope as written (`municipal_coaching`, `Keuruu`).
    public var scopeText: String
    /// 3 = municipality, 2 = group, 1 = area.
    public var specificity: Int
    public var condition: TExpr?
    public var outcomes: [GivenOutcome]
    public var span: Span

    package init(index: Int, scope: MunicipalitySet, scopeText: String, specificity: Int, condition: TExpr?, outcomes: [GivenOutcome], span: Span) {
        self.index = index
        self.scope = scope
        self.scopeText = scopeText
        self.specificity = specificity
        self.condition = condition
        self.outcomes = outcomes
        self.span = span
    }
}

public struct Rule: Sendable {
    public var id: Int
    public var name: String
    public var label: String?
    /// nil: every municipality of the policy.
    public var scope: MunicipalitySet?
    public var scopeText: String?
    public var condition: TExpr?
    public var exceptions: [RuleException]
    public var outcomes: [GivenOutcome]
    public var variants: [RuleVariant]
    public var from: Day?
    public var until: Day?
    /// Rules this one wins over.
    public var over: [Int]
    public var span: Span
    public var sources: [String]
    public var assumptions: [String]
    /// Per municipality id: the variants to try, most specific first.
    public var variantOrder: [Int: [Int]]
    /// The policy directory that declared it.
    public var origin: String

    public func isActive(on day: Day) -> Bool {
        if let f = from, day < f { return false }
        if let u = until, day > u { return false }
        return true
    }

    public func applies(in municipality: Int) -> Bool {
        scope?.contains(municipality) ?? true
    }

    package init(id: Int, name: String, label: String?, scope: MunicipalitySet?, scopeText: String?, condition: TExpr?, exceptions: [RuleException], outcomes: [GivenOutcome], variants: [RuleVariant], from: Day?, until: Day?, over: [Int], span: Span, sources: [String], assumptions: [String], variantOrder: [Int: [Int]], origin: String) {
        self.id = id
        self.name = name
        self.label = label
        self.scope = scope
        self.scopeText = scopeText
        self.condition = condition
        self.exceptions = exceptions
        self.outcomes = outcomes
        self.variants = variants
        self.from = from
        self.until = until
        self.over = over
        self.span = span
        self.sources = sources
        self.assumptions = assumptions
        self.variantOrder = variantOrder
        self.origin = origin
    }
}

public enum TargetUnit: Sendable, Equatable {
    case percent
    case duration(DurationKind)
    case money
    /// A count or other number, with the seed's own unit word.
    case number
}

public struct TargetDef: Sendable {
    public var id: Int
    public var goal: Int
    public var name: String
    public var label: String?
    public var level: String?
    public var comparison: ComparisonOp?
    public var value: Value?
    /// The target value as the rule file writes it (`60 vk`, `4.0`), for display.
    public var valueText: String?
    public var unit: TargetUnit
    public var unitLabel: String?
    public var perYear: Bool
    public var qualitative: Bool
    public var qualitativeText: String?
    public var baseline: Value?
    /// The baseline value as written (`139`, `3.82`), for display.
    public var baselineValueText: String?
    public var baselineText: String?
    public var baselineUnitLabel: String?
    public var baselinePeriod: Period?
    public var period: Period?
    /// nil: fed by indicator data.
    public var measured: TExpr?
    public var span: Span
    public var sources: [String]
    public var assumptions: [String]
    public var notes: [String]
    /// `for each municipality`: each municipality gets a verdict of its own.
    public var forEachMunicipality: Bool
    /// `given euros` and the like: each indicator data row gives the target
    /// value for its municipality (`target_value`); `value` is nil.
    public var valueGiven: Bool

    package init(id: Int, goal: Int, name: String, label: String?, level: String?, comparison: ComparisonOp?, value: Value?, valueText: String?, unit: TargetUnit, unitLabel: String?, perYear: Bool, qualitative: Bool, qualitativeText: String?, baseline: Value?, baselineValueText: String?, baselineText: String?, baselineUnitLabel: String?, baselinePeriod: Period?, period: Period?, measured: TExpr?, span: Span, sources: [String], assumptions: [String], notes: [String], forEachMunicipality: Bool = false, valueGiven: Bool = false) {
        self.forEachMunicipality = forEachMunicipality
        self.valueGiven = valueGiven
        self.id = id
        self.goal = goal
        self.name = name
        self.label = label
        self.level = level
        self.comparison = comparison
        self.value = value
        self.valueText = valueText
        self.unit = unit
        self.unitLabel = unitLabel
        self.perYear = perYear
        self.qualitative = qualitative
        self.qualitativeText = qualitativeText
        self.baseline = baseline
        self.baselineValueText = baselineValueText
        self.baselineText = baselineText
        self.baselineUnitLabel = baselineUnitLabel
        self.baselinePeriod = baselinePeriod
        self.period = period
        self.measured = measured
        self.span = span
        self.sources = sources
        self.assumptions = assumptions
        self.notes = notes
    }
}

public struct GoalDef: Sendable {
    public var id: Int
    public var name: String
    public var label: String?
    public var level: String?
    public var period: Period?
    public var targets: [Int]
    public var span: Span
    public var sources: [String]

    package init(id: Int, name: String, label: String?, level: String?, period: Period?, targets: [Int], span: Span, sources: [String]) {
        self.id = id
        self.name = name
        self.label = label
        self.level = level
        self.period = period
        self.targets = targets
        self.span = span
        self.sources = sources
    }
}

public struct AssessmentDef: Sendable {
    public var name: String
    public var label: String?
    public var countsAs: TargetStatus

    package init(name: String, label: String?, countsAs: TargetStatus) {
        self.name = name
        self.label = label
        self.countsAs = countsAs
    }
}

public struct GoalVerdictRule: Sendable {
    /// nil: no verdict (`goal none`).
    public var label: String?
    /// nil: `otherwise`.
    public var condition: GoalCondition?
    public var span: Span

    package init(label: String?, condition: GoalCondition?, span: Span) {
        self.label = label
        self.condition = condition
        self.span = span
    }
}

public struct VerdictPolicy: Sendable {
    /// Tolerance for percentage targets, in percentage points.
    public var nearPoints: Fixed?
    /// Tolerance for other targets, relative, in percent of the target.
    public var nearRelative: Fixed?
    public var prorateperYear: Bool
    public var assessments: [AssessmentDef]
    public var goalRules: [GoalVerdictRule]
    public var span: Span

    package init(nearPoints: Fixed?, nearRelative: Fixed?, prorateperYear: Bool, assessments: [AssessmentDef], goalRules: [GoalVerdictRule], span: Span) {
        self.nearPoints = nearPoints
        self.nearRelative = nearRelative
        self.prorateperYear = prorateperYear
        self.assessments = assessments
        self.goalRules = goalRules
        self.span = span
    }
}

public struct ReportSettings: Sendable {
    public var suppressBelow: Int
    public var sampleClients: String?
    public var sampleActuals: String?
    public var sampleAsOf: Day?
    public var samplePeriod: Period?

    package init(suppressBelow: Int, sampleClients: String?, sampleActuals: String?, sampleAsOf: Day?, samplePeriod: Period?) {
        self.suppressBelow = suppressBelow
        self.sampleClients = sampleClients
        self.sampleActuals = sampleActuals
        self.sampleAsOf = sampleAsOf
        self.samplePeriod = samplePeriod
    }
}

public struct Fixture: Sendable {
    public var name: String
    public var label: String?
    public var base: String?
    public var fields: [(slot: Int, value: Value, span: Span)]
    public var span: Span

    package init(name: String, label: String?, base: String?, fields: [(slot: Int, value: Value, span: Span)], span: Span) {
        self.name = name
        self.label = label
        self.base = base
        self.fields = fields
        self.span = span
    }
}
