import LinjaBase
import LinjaSyntax

/// A test block with its names resolved: what the test runner executes.
public struct CheckedTest: Sendable {
    public var name: String
    public var span: Span
    public var asOf: Day?
    public var period: Period?
    public var clients: [TestClient]
    public var actuals: [TestActual]
    public var expectations: [CheckedExpectation]
    public var tables: [CheckedTable]
    /// Policy text that must fail to check (with `expect error`).
    public var check: String?
    public var checkSpan: Span?
    /// The directory of the policy that declared the test.
    public var origin: String

    package init(name: String, span: Span, asOf: Day?, period: Period?, clients: [TestClient], actuals: [TestActual], expectations: [CheckedExpectation], tables: [CheckedTable], check: String?, checkSpan: Span?, origin: String) {
        self.name = name
        self.span = span
        self.asOf = asOf
        self.period = period
        self.clients = clients
        self.actuals = actuals
        self.expectations = expectations
        self.tables = tables
        self.check = check
        self.checkSpan = checkSpan
        self.origin = origin
    }
}

public struct TestClient: Sendable {
    public var name: String?
    /// A value for every field slot (missing for absent optionals).
    public var values: [Value]
    public var span: Span

    package init(name: String?, values: [Value], span: Span) {
        self.name = name
        self.values = values
        self.span = span
    }
}

public struct TestActual: Sendable {
    public var target: Int
    public var value: Value?
    public var assessment: String?
    public var note: String?
    public var span: Span

    package init(target: Int, value: Value?, assessment: String?, note: String?, span: Span) {
        self.target = target
        self.value = value
        self.assessment = assessment
        self.note = note
        self.span = span
    }
}

public enum CheckedExpectation: Sendable {
    case outcome(client: Int, outcome: Int, destination: Int?, negated: Bool, span: Span)
    case holds(client: Int, expr: TExpr, span: Span)
    case targetStatus(target: Int, status: TargetStatus, span: Span)
    case goalVerdict(goal: Int, verdict: String?, span: Span)
    case checkError(String, span: Span)

    public var span: Span {
        switch self {
        case .outcome(_, _, _, _, let s), .holds(_, _, let s), .targetStatus(_, _, let s),
             .goalVerdict(_, _, let s), .checkError(_, let s):
            return s
        }
    }
}

public enum TableColumnKind: Sendable {
    case field(slot: Int)
    case asOf
    case outcome(outcome: Int, destination: Int?)
    /// A let, compared with the cell's value.
    case letValue(letID: Int)
    case target(Int)
    case goal(Int)

    public var isInput: Bool {
        switch self {
        case .field, .asOf: return true
        case .outcome, .letValue, .target, .goal: return false
        }
    }
}

public struct CheckedTable: Sendable {
    public var columns: [TableColumnKind]
    public var headers: [String]
    /// One value per column; for outcome columns a bool; for goal columns a text or missing.
    public var rows: [[Value]]
    public var rowSpans: [Span]
    public var span: Span

    package init(columns: [TableColumnKind], headers: [String], rows: [[Value]], rowSpans: [Span], span: Span) {
        self.columns = columns
        self.headers = headers
        self.rows = rows
        self.rowSpans = rowSpans
        self.span = span
    }
}
