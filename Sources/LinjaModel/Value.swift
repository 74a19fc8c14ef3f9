import LinjaBase
import LinjaSyntax

/// A Linja value, as the reference evaluator, constants and outputs see it.
/// (The compiled evaluator works on the same values packed into Int64 slots.)
public enum Value: Hashable, Sendable {
    case bool(Bool)
    case int(Int64)
    case decimal(Fixed)
    case text(String)
    case date(Day)
    /// Percent units: `75 %` is `percent(75)`.
    case percent(Fixed)
    /// Euros.
    case money(Fixed)
    case duration(Duration)
    case span(Day, Day)
    case enumeration(type: Int, index: Int)
    case municipality(Int)
    /// A place used as a scope: a group id (≥ 0), an area (ids after the
    /// groups), or a single municipality `m` written as `-m - 1`.
    case group(Int)
    case set([Value])
    case period(Period)
    case missing

    public var isMissing: Bool { self == .missing }

    public var asBool: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var asDate: Day? { if case .date(let d) = self { return d }; return nil }
    /// An integer or a decimal: a number with no unit.
    public var isPlainNumber: Bool {
        switch self {
        case .int, .decimal: return true
        default: return false
        }
    }
}

extension Value {
    /// The value where `type` is needed: an integer becomes a decimal when a
    /// decimal is wanted (the one widening the language does); anything else
    /// is itself.
    public func widened(to type: LType) -> Value {
        if type.base == .decimal, case .int(let i) = self, let f = Fixed(integer: Int(i)) { return .decimal(f) }
        return self
    }
}

/// Why a text is not a value of the type wanted.
public struct ValueError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// Diagnostics about the text, with spans in the text as typed.
    public var diagnostics: [Diagnostic]
    public init(message: String, diagnostics: [Diagnostic] = []) {
        self.message = message
        self.diagnostics = diagnostics
    }
    public var description: String { message }
}
