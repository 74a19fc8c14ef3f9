import LinjaBase
import LinjaSyntax

/// The builtin functions, each declared once with its signature and
/// meaning. The checker reads this table; both evaluators implement every
/// case of the enum (an exhaustive switch, so none is forgotten).
public enum Builtin: String, CaseIterable, Sendable {
    case age, age_on, days, months, years, days_between, working_days, deadline, min, max, abs, year, month

    public struct Signature: Sendable {
        public var parameters: String
        public var result: String
        public var doc: String
    }

    public var signature: Signature {
        switch self {
        case .age: return Signature(parameters: "date", result: "integer",
            doc: "whole years from the date to as_of (a 29 February birthday turns over on 28 February)")
        case .age_on: return Signature(parameters: "date, date", result: "integer",
            doc: "whole years from the first date to the second")
        case .days: return Signature(parameters: "span", result: "integer", doc: "the days a span covers")
        case .months: return Signature(parameters: "span", result: "integer", doc: "the whole calendar months a span covers")
        case .years: return Signature(parameters: "span", result: "integer", doc: "the whole years a span covers")
        case .days_between: return Signature(parameters: "date, date", result: "integer",
            doc: "days from the first date to the second (negative if the second is earlier)")
        case .working_days: return Signature(parameters: "date, date", result: "integer",
            doc: "Finnish working days after the first date up to and including the second")
        case .deadline: return Signature(parameters: "date", result: "date",
            doc: "the date, or the next working day when it falls on a weekend or public holiday")
        case .min: return Signature(parameters: "x, x", result: "x", doc: "the smaller of two values of one type")
        case .max: return Signature(parameters: "x, x", result: "x", doc: "the larger of two values of one type")
        case .abs: return Signature(parameters: "number", result: "number", doc: "the absolute value")
        case .year: return Signature(parameters: "date", result: "integer", doc: "the year of a date")
        case .month: return Signature(parameters: "date", result: "integer", doc: "the month (1–12) of a date")
        }
    }

    /// The result type for argument types, or a message saying what is wrong.
    public func resultType(_ args: [LType]) -> Result<LType, BuiltinError> {
        let bases = args.map(\.base)
        func want(_ types: [LType]) -> Result<LType, BuiltinError>? {
            guard args.count == types.count else {
                return .failure(BuiltinError(message: "`\(rawValue)` takes \(types.count) argument\(types.count == 1 ? "" : "s"), not \(args.count)", argument: nil))
            }
            for (i, (a, t)) in zip(bases, types).enumerated() where a != t && !a.isError {
                return .failure(BuiltinError(message: "argument \(i + 1) of `\(rawValue)` must be \(t.a), not \(a.a)", argument: i))
            }
            return nil
        }
        switch self {
        case .age: return want([.date]) ?? .success(.int)
        case .age_on, .days_between, .working_days: return want([.date, .date]) ?? .success(.int)
        case .days, .months, .years: return want([.span]) ?? .success(.int)
        case .deadline: return want([.date]) ?? .success(.date)
        case .year, .month: return want([.date]) ?? .success(.int)
        case .abs:
            guard args.count == 1 else { return want([.decimal]) ?? .success(.decimal) }
            switch bases[0] {
            case .int, .decimal, .percent, .money, .error: return .success(bases[0])
            default: return .failure(BuiltinError(message: "`abs` takes a number, not \(bases[0].a)", argument: 0))
            }
        case .min, .max:
            guard args.count == 2 else {
                return .failure(BuiltinError(message: "`\(rawValue)` takes 2 arguments, not \(args.count)", argument: nil))
            }
            let (a, b) = (bases[0], bases[1])
            if a.isError { return .success(b) }
            if b.isError { return .success(a) }
            if a.isNumeric && b.isNumeric { return .success(a == .int && b == .int ? .int : .decimal) }
            guard a == b else {
                return .failure(BuiltinError(message: "`\(rawValue)` needs two values of one type, not \(a) and \(b)", argument: 1))
            }
            switch a {
            case .date, .percent, .money, .duration(.days), .duration(.months), .duration(.workingDays): return .success(a)
            default: return .failure(BuiltinError(message: "`\(rawValue)` cannot order values of type \(a)", argument: 0))
            }
        }
    }
}

public struct BuiltinError: Error, Sendable {
    public var message: String
    public var argument: Int?
}
