import LinjaBase

/// The syntax tree. Every node keeps its span; equality ignores spans
/// (see `Span`), so trees compare by structure.

/// A name as written (identifier or quoted), normalised to NFC.
public struct Name: Hashable, Sendable, CustomStringConvertible {
    public var text: String
    public var span: Span
    /// Written in quotes (`"Mänttä-Vilppula"`): the formatter keeps the quotes.
    public var quoted: Bool
    public init(_ text: String, span: Span = .none, quoted: Bool = false) {
        self.text = text
        self.span = span
        self.quoted = quoted
    }
    public var description: String { text }
    public static func == (a: Name, b: Name) -> Bool { a.text == b.text }
    public func hash(into h: inout Hasher) { h.combine(text) }
}

public enum AttributeKind: String, Sendable, CaseIterable {
    /// Where the declaration comes from: seed file and section.
    case source
    /// A number or definition the seeds do not state, and why it was chosen.
    case assumption
    /// Anything else the author wants a reader to know.
    case note
}

public struct Attribute: Equatable, Sendable {
    public var kind: AttributeKind
    public var text: String
    public var span: Span
}

/// What every declaration has: doc comments, name, label and attributes.
public struct DeclHeader: Equatable, Sendable {
    public var doc: [String]
    public var name: Name
    /// The area's own wording ("Työnhaun asiakirjat valmentajalle").
    public var label: String?
    public var attributes: [Attribute]
    /// The whole declaration.
    public var span: Span

    public func attribute(_ k: AttributeKind) -> [String] {
        attributes.filter { $0.kind == k }.map(\.text)
    }
}

public enum OutcomeKind: String, Sendable, CaseIterable, Codable {
    case refer, assess, eligible, flag
}

// MARK: - Expressions

public enum UnaryOp: String, Sendable { case negate = "-", not }

public enum BinaryOp: String, Sendable, CaseIterable {
    case otherwise, or, and
    case eq = "=", neq = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
    case add = "+", sub = "-", mul = "*", div = "/"

    public var isComparison: Bool {
        switch self {
        case .eq, .neq, .lt, .le, .gt, .ge: return true
        case .otherwise, .or, .and, .add, .sub, .mul, .div: return false
        }
    }
}

extension BinaryOp {
    /// The operator that says the same with its operands swapped:
    /// `a < b` is `b > a`. Equality and the others are their own mirror.
    public var mirrored: BinaryOp {
        switch self {
        case .lt: return .gt
        case .le: return .ge
        case .gt: return .lt
        case .ge: return .le
        default: return self
        }
    }

    /// The comparison that holds exactly when this one does not
    /// (`a < b` fails when `a >= b`); other operators are returned as they are.
    public var negated: BinaryOp {
        switch self {
        case .eq: return .neq
        case .neq: return .eq
        case .lt: return .ge
        case .le: return .gt
        case .gt: return .le
        case .ge: return .lt
        default: return self
        }
    }
}

public enum AggregateKind: String, Sendable, CaseIterable {
    case count, share, average, median, ratio, sum, minimum, maximum
}

public struct CaseArm: Equatable, Sendable {
    public var values: [Expr]
    public var result: Expr
    public var span: Span
}

public struct Expr: Equatable, Sendable {
    public var kind: Kind
    public var span: Span

    public init(_ kind: Kind, _ span: Span) {
        self.kind = kind
        self.span = span
    }

    public indirect enum Kind: Equatable, Sendable {
        case bool(Bool)
        /// A number as written, e.g. `3.82` (exact).
        case number(String)
        case percent(String)
        case money(String)
        case duration(String, DurationUnit)
        case date(String)
        case period(String)
        /// A quoted string: text, or a quoted municipality name where one is expected.
        case text(String)
        /// A bare name: a let, param, enumeration value, municipality or group.
        case name(String)
        case asOf
        /// `period_start`, `period_end`: the first and last day of the period a goal is evaluated for.
        case periodStart
        case periodEnd
        case missing
        case member(Expr, Name)
        case unary(UnaryOp, Expr)
        case binary(BinaryOp, Expr, Expr)
        /// `x is missing` / `x is present` (negated).
        case isMissing(Expr, negated: Bool)
        /// `x is y` / `x is not y`.
        case isValue(Expr, Expr, negated: Bool)
        /// `x in y` / `x not in y`.
        case membership(Expr, Expr, negated: Bool)
        /// `since d`: the calendar span from `d` to `as_of`.
        case since(Expr)
        case call(Name, [Expr])
        case ifElse(Expr, Expr, Expr)
        case caseOf(Expr, [CaseArm], otherwise: Expr?)
        case set([Expr])
        case aggregate(Aggregate)
        /// Where the parser recovered from an error.
        case error
    }
}

/// `count of clients where …`, `share of clients where … among clients where …`,
/// `average of X over clients where …`, `ratio of A to B`.
public struct Aggregate: Equatable, Sendable {
    public var kind: AggregateKind
    /// The population word as written (`clients`).
    public var population: Name?
    public var filter: Expr?
    /// For `share`: the denominator's filter.
    public var among: Expr?
    /// For `share … among`: the population word after `among`.
    public var amongPopulation: Name? = nil
    /// For `average`/`median`/`sum`: the value averaged.
    public var value: Expr?
    /// For `ratio`: numerator and denominator.
    public var ratio: [Expr]
}

// MARK: - Declarations

public struct ImportDecl: Equatable, Sendable {
    public var doc: [String]
    public var path: String
    public var span: Span
}

public struct MunicipalityEntry: Equatable, Sendable {
    public var name: Name
    /// Statistics Finland code, e.g. "249" for Keuruu.
    public var code: String?
}

public struct GroupDecl: Equatable, Sendable {
    public var header: DeclHeader
    public var members: [Name]
}

public struct AreaDecl: Equatable, Sendable {
    public var header: DeclHeader
    public var responsible: Name?
    public var municipalities: [MunicipalityEntry]
    public var groups: [GroupDecl]
}

public indirect enum TypeExpr: Equatable, Sendable {
    case named(Name)
    case optional(TypeExpr, Span)
    case setOf(TypeExpr, Span)
    case inlineEnum([EnumValueDecl], Span)

    public var span: Span {
        switch self {
        case .named(let n): return n.span
        case .optional(_, let s), .setOf(_, let s), .inlineEnum(_, let s): return s
        }
    }
}

public struct EnumValueDecl: Equatable, Sendable {
    public var name: Name
    public var label: String?
}

public struct EnumDecl: Equatable, Sendable {
    public var header: DeclHeader
    public var values: [EnumValueDecl]
}

public struct ValueMapping: Equatable, Sendable {
    public var code: String
    public var value: Expr
    public var span: Span
}

public struct FieldDecl: Equatable, Sendable {
    public var header: DeclHeader
    public var type: TypeExpr
    /// Other column names the field is read from (`Kotikunta`).
    public var columns: [String]
    /// Codes in the data mapped to values (`"1": unemployed`).
    public var values: [ValueMapping]
    /// The value a test or REPL client takes when it does not give one.
    public var defaultValue: Expr?
    /// `not after as_of`: a date the data may not put after the evaluation
    /// date (a birth date); where the clause is written.
    public var notAfterAsOf: Span? = nil
}

public struct RecordDecl: Equatable, Sendable {
    public var header: DeclHeader
    public var fields: [FieldDecl]
}

public struct Destination: Equatable, Sendable {
    public var name: Name
    public var label: String?
}

public struct OutcomeDecl: Equatable, Sendable {
    public var header: DeclHeader
    public var kind: OutcomeKind
    public var destinations: [Destination]
}

public struct DatedValue: Equatable, Sendable {
    public var from: Expr
    public var value: Expr
    public var span: Span
}

public struct ParamDecl: Equatable, Sendable {
    public var header: DeclHeader
    public var type: TypeExpr?
    public var value: Expr
    public var dated: [DatedValue]
    public var overrides: Bool
}

public struct LetDecl: Equatable, Sendable {
    public var header: DeclHeader
    public var value: Expr
    public var overrides: Bool
}

public struct OutcomeRef: Equatable, Sendable {
    public var kind: OutcomeKind
    public var name: Name
    public var destination: Name?
    public var span: Span
}

public struct Exception: Equatable, Sendable {
    public var condition: Expr
    public var label: String?
    public var span: Span
}

public struct Variant: Equatable, Sendable {
    public var scope: [Name]
    /// Scopes of equal specificity this variant wins over.
    public var over: [Name]
    public var condition: Expr?
    /// Empty means `then nothing`.
    public var outcomes: [OutcomeRef]
    public var span: Span
}

public struct RuleDecl: Equatable, Sendable {
    public var header: DeclHeader
    /// Where the rule applies; nil means the whole policy area.
    public var scope: [Name]?
    public var condition: Expr?
    public var exceptions: [Exception]
    /// Empty means `then nothing`.
    public var outcomes: [OutcomeRef]
    public var variants: [Variant]
    public var effectiveFrom: Expr?
    public var effectiveUntil: Expr?
    /// `overrides [name]`: replaces an imported rule.
    public var overrides: Name?
    public var overridesSameName: Bool
    /// Rules this rule wins over when both give one outcome different targets.
    public var over: [Name]
}

public enum TargetSource: Equatable, Sendable {
    /// Computed from client records with an aggregate.
    case measured(Expr)
    /// Fed by indicator data.
    case reported
}

public enum ComparisonOp: String, Equatable, Sendable, CaseIterable {
    case ge = ">=", gt = ">", le = "<=", lt = "<", eq = "="
}

public struct Baseline: Equatable, Sendable {
    public var value: Expr?
    public var unitLabel: String?
    public var text: String?
    public var period: Expr?
    public var span: Span
}

public struct TargetDecl: Equatable, Sendable {
    public var header: DeclHeader
    /// nil for a qualitative target.
    public var comparison: ComparisonOp?
    public var value: Expr?
    /// The unit as the seed writes it (`hlöä`, `asiakasta/htv`).
    public var unitLabel: String?
    public var perYear: Bool
    /// For a qualitative target: what "done" means, in the area's words.
    public var qualitative: String?
    public var isQualitative: Bool
    public var level: Name?
    public var baseline: Baseline?
    public var period: Expr?
    public var source: TargetSource
    /// `for each municipality`: the target holds in each municipality, so
    /// each gets a verdict of its own (a municipality card shows it).
    public var forEachMunicipality = false
    /// `<= given euros`: the target value is not in the rule file but in
    /// each row of the indicator data (a municipality's own budget).
    public var given: GivenTarget?
}

/// A target value that the indicator data gives, row by row, in a unit the
/// rule file names: `given euros`, `given percent`, or `given` and the
/// seed's own unit word for a count (`given henkilöä`).
public struct GivenTarget: Equatable, Sendable {
    public enum Kind: String, Equatable, Sendable { case euros, percent, count }
    public var kind: Kind
    /// The word `given`.
    public var span: Span
    public init(kind: Kind, span: Span) {
        self.kind = kind
        self.span = span
    }
}

public struct GoalDecl: Equatable, Sendable {
    public var header: DeclHeader
    public var level: Name?
    public var period: Expr?
    public var targets: [TargetDecl]
}

public enum TargetStatus: String, Equatable, Sendable, CaseIterable, Codable {
    case met, near, missed, no_data, assessed
}

public enum Quantifier: String, Equatable, Sendable, CaseIterable {
    case any, some, no, every, all
}

public struct GoalCondition: Equatable, Sendable {
    /// Alternatives (or) of conjunctions (and).
    public var anyOf: [[GoalAtom]]
}

public struct GoalAtom: Equatable, Sendable {
    public var quantifier: Quantifier
    /// nil means "has data".
    public var status: TargetStatus?
    public var span: Span
}

public enum VerdictItem: Equatable, Sendable {
    /// `near within 5 points for percentages` / `near within 10 % for others`.
    case near(amount: Expr, points: Bool, forPercentages: Bool?, span: Span)
    /// `prorate per year` / `prorate none`.
    case prorate(perYear: Bool, span: Span)
    /// `assessment on_track "Etenee" counts as met`.
    case assessment(name: Name, label: String?, countsAs: TargetStatus, span: Span)
    /// `goal "Toteutuu" when …` / `goal none otherwise`.
    case goal(label: String?, condition: GoalCondition?, span: Span)
}

public struct VerdictsDecl: Equatable, Sendable {
    public var doc: [String]
    public var items: [VerdictItem]
    public var span: Span
}

/// `unit "tapahtuma" other "tapahtumaa"`: a unit word's form after the
/// number 1 and after every other number, so that outputs read "1 tapahtuma"
/// and "2 tapahtumaa". A target's unit written in either form is this unit.
public struct UnitDecl: Equatable, Sendable {
    public var doc: [String]
    public var one: String
    public var other: String
    public var attributes: [Attribute]
    public var span: Span
}

public struct ReportDecl: Equatable, Sendable {
    public var doc: [String]
    public var suppressBelow: Expr?
    public var sampleClients: String?
    public var sampleActuals: String?
    public var sampleAsOf: Expr?
    public var samplePeriod: Expr?
    public var span: Span
}

public struct FieldValue: Equatable, Sendable {
    public var field: Name
    public var value: Expr
    public var span: Span
}

public struct ClientSpec: Equatable, Sendable {
    public var name: Name?
    public var base: Name?
    public var fields: [FieldValue]
    public var span: Span
}

public struct FixtureDecl: Equatable, Sendable {
    public var header: DeclHeader
    public var base: Name?
    public var fields: [FieldValue]
}

public struct ActualValue: Equatable, Sendable {
    public var target: Name
    public var value: Expr
    public var note: String?
    public var span: Span
}

public indirect enum Expectation: Equatable, Sendable {
    case outcome(OutcomeRef, negated: Bool)
    /// A boolean expression over the client (`age = 29`, `unemployment > 3 months`).
    case holds(Expr)
    case targetStatus(Name, TargetStatus)
    case goalVerdict(Name, String?)
    case checkError(String)
}

public struct ExpectDecl: Equatable, Sendable {
    public var client: Name?
    public var expectation: Expectation
    public var span: Span
}

/// A table header cell: an input (a client field or `as_of`) or an output
/// (an outcome, a let, a target's status, a goal's verdict).
public enum TableColumn: Equatable, Sendable {
    case name(Name)
    case outcome(OutcomeRef)
    case target(Name)
    case goal(Name)
}

public struct TableRow: Equatable, Sendable {
    public var cells: [Expr]
    public var span: Span
}

public struct ExamplesTable: Equatable, Sendable {
    public var columns: [TableColumn]
    public var columnSpans: [Span]
    public var rows: [TableRow]
    public var span: Span
}

public struct TestDecl: Equatable, Sendable {
    public var doc: [String]
    public var name: String
    public var nameSpan: Span
    public var asOf: Expr?
    public var period: Expr?
    public var clients: [ClientSpec]
    public var actuals: [ActualValue]
    public var expectations: [ExpectDecl]
    public var tables: [ExamplesTable]
    /// Policy text checked with the policy, for expected check errors.
    public var check: String?
    public var checkSpan: Span?
    public var span: Span
    /// The block had syntax errors (already reported): what it lacks may be lost, not missing.
    public var incomplete = false
}

public enum Declaration: Equatable, Sendable {
    case importDecl(ImportDecl)
    case area(AreaDecl)
    case record(RecordDecl)
    case enumDecl(EnumDecl)
    case outcome(OutcomeDecl)
    case param(ParamDecl)
    case letDecl(LetDecl)
    case rule(RuleDecl)
    case goal(GoalDecl)
    case verdicts(VerdictsDecl)
    case report(ReportDecl)
    case unit(UnitDecl)
    case test(TestDecl)
    case fixture(FixtureDecl)

    public var span: Span {
        switch self {
        case .importDecl(let d): return d.span
        case .area(let d): return d.header.span
        case .record(let d): return d.header.span
        case .enumDecl(let d): return d.header.span
        case .outcome(let d): return d.header.span
        case .param(let d): return d.header.span
        case .letDecl(let d): return d.header.span
        case .rule(let d): return d.header.span
        case .goal(let d): return d.header.span
        case .verdicts(let d): return d.span
        case .report(let d): return d.span
        case .unit(let d): return d.span
        case .test(let d): return d.span
        case .fixture(let d): return d.header.span
        }
    }
}

/// One parsed rule file.
public struct PolicyFile: Sendable {
    public var file: SourceFile
    public var declarations: [Declaration]
    public var comments: [Comment]
    public var diagnostics: [Diagnostic]
}
