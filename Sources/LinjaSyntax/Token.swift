import LinjaBase

/// Reserved words: they start declarations, clauses or expression forms and
/// cannot be used as names. (Many clause words, such as `source`, `level` or
/// `baseline`, are contextual: they are plain identifiers elsewhere.)
public enum Keyword: String, Sendable, CaseIterable {
    // declarations
    case `import`, area, record, `enum`, outcome, param, `let`, rule, goal, target,
         verdicts, test, fixture, report, unit
    // rule clauses
    case when, unless, then, `in`, over, overrides, from, until, to, nothing
    // outcome kinds
    case refer, assess, eligible, flag
    // expressions
    case and, or, not, `is`, `if`, `else`, since, otherwise, `true`, `false`,
         missing, present, as_of, period_start, period_end, `case`, of, `where`, among
    // tests
    case expect

    /// Every keyword by its text (a dictionary look-up costs a third of
    /// the `String`-backed `init(rawValue:)`'s comparisons).
    static let byText: [String: Keyword] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0) })
    /// The longest keyword's length in bytes (all are ASCII).
    static let longest = allCases.map(\.rawValue.utf8.count).max() ?? 0

    /// Words that start a top-level declaration: the parser resynchronises at them.
    public var startsDeclaration: Bool {
        switch self {
        case .import, .area, .record, .enum, .outcome, .param, .let, .rule, .goal,
             .verdicts, .test, .fixture, .report, .unit:
            return true
        case .target, .when, .unless, .then, .in, .over, .overrides, .from, .until, .to,
             .nothing, .refer, .assess, .eligible, .flag, .and, .or, .not, .is, .if, .else,
             .since, .otherwise, .true, .false, .missing, .present, .as_of, .period_start, .period_end, .case, .of,
             .where, .among, .expect:
            return false
        }
    }
}

/// Units a number may carry in a duration literal. Weeks and years are
/// stored as their day and month counts, keeping calendar arithmetic exact.
public enum DurationUnit: String, Sendable, CaseIterable {
    case days, weeks, months, years, workingDays = "working days"

    /// Unit words, in English and the Finnish abbreviations the seeds use.
    public static let words: [String: DurationUnit] = [
        "day": .days, "days": .days, "vrk": .days, "pv": .days, "päivää": .days, "päivä": .days,
        "week": .weeks, "weeks": .weeks, "vk": .weeks, "viikkoa": .weeks, "viikko": .weeks,
        "month": .months, "months": .months, "kk": .months, "kuukautta": .months, "kuukausi": .months,
        "year": .years, "years": .years, "v": .years, "vuotta": .years, "vuosi": .years,
        "arkipäivää": .workingDays, "työpäivää": .workingDays,
    ]
}

/// A token's kind. Literal payloads live in `Token.text` (identifiers
/// normalised to NFC, strings unescaped, numbers as written without `_`).
public enum TokenKind: Sendable, Equatable {
    case identifier
    case keyword(Keyword)
    case string
    case number
    /// `75 %`: `text` holds the number.
    case percent
    /// `3 months`: `text` holds the number.
    case duration(DurationUnit)
    /// `100 €`, `21.77 M€`: `text` holds the number in euros (M€ already multiplied out by the parser).
    case money(millions: Bool)
    /// `2026-05-01`: `text` holds it as written.
    case date
    /// `2026-03` or `2026-Q1`.
    case period
    case lbrace, rbrace, lparen, rparen, lbracket, rbracket
    case comma, colon, dot, pipe, question, arrow
    case eq, eqeq, neq, lt, le, gt, ge, plus, minus, star, slash
    case eof
    /// A malformed token; the lexer has already reported it.
    case invalid

    public var describe: String {
        switch self {
        case .identifier: return "a name"
        case .keyword(let k): return "`\(k.rawValue)`"
        case .string: return "a string"
        case .number: return "a number"
        case .percent: return "a percentage"
        case .duration: return "a duration"
        case .money: return "an amount of money"
        case .date: return "a date"
        case .period: return "a period"
        case .lbrace: return "`{`"
        case .rbrace: return "`}`"
        case .lparen: return "`(`"
        case .rparen: return "`)`"
        case .lbracket: return "`[`"
        case .rbracket: return "`]`"
        case .comma: return "`,`"
        case .colon: return "`:`"
        case .dot: return "`.`"
        case .pipe: return "`|`"
        case .question: return "`?`"
        case .arrow: return "`=>`"
        case .eq: return "`=`"
        case .eqeq: return "`==`"
        case .neq: return "`!=`"
        case .lt: return "`<`"
        case .le: return "`<=`"
        case .gt: return "`>`"
        case .ge: return "`>=`"
        case .plus: return "`+`"
        case .minus: return "`-`"
        case .star: return "`*`"
        case .slash: return "`/`"
        case .eof: return "the end of the file"
        case .invalid: return "an invalid token"
        }
    }
}

public struct Token: Sendable {
    public var kind: TokenKind
    public var text: String
    public var start: Int
    public var end: Int
    /// Only white space stands before the token on its line (table rows use it).
    public var atLineStart: Bool

    public init(kind: TokenKind, text: String, start: Int, end: Int, atLineStart: Bool) {
        self.kind = kind
        self.text = text
        self.start = start
        self.end = end
        self.atLineStart = atLineStart
    }

    public var isEOF: Bool { kind == .eof }

    /// How the token reads in a message: `` `when` ``, `` `Keuruu` ``, "the end of the file".
    public var describe: String {
        switch kind {
        case .identifier: return "`\(text)`"
        case .string: return "\"\(text)\""
        case .number, .date, .period: return "`\(text)`"
        case .percent: return "`\(text) %`"
        case .duration(let u): return "`\(text) \(u.rawValue)`"
        case .money: return "`\(text) €`"
        default: return kind.describe
        }
    }
}

/// A comment kept for the formatter. `##` comments are doc comments and
/// attach to the declaration that follows them.
public struct Comment: Sendable, Equatable {
    public var text: String
    public var start: Int
    public var end: Int
    public var isDoc: Bool
    /// The comment is alone on its line (otherwise it trails code).
    public var ownLine: Bool
}
