/// Every kind of diagnostic Linja reports. Codes are stable: editors,
/// scripts and tests may match on them. Each case says when it is returned.
public enum DiagnosticCode: String, Sendable, CaseIterable, Codable {
    // MARK: Lexical (L1xx)
    /// A file's bytes are not valid UTF-8.
    case invalidUTF8 = "L101"
    /// A string has no closing quote before the end of its line (or file, for `"""`).
    case unterminatedString = "L102"
    /// A backslash escape in a string is not one Linja knows.
    case invalidEscape = "L103"
    /// A date literal has the right shape but is not a calendar date (2026-02-30).
    case invalidDate = "L104"
    /// A number is followed by a unit word Linja does not know (`3 monts`).
    case unknownUnit = "L105"
    /// A number literal is malformed or too large.
    case invalidNumber = "L106"
    /// A character that cannot start any token.
    case unexpectedCharacter = "L107"
    /// A period literal (2026-Q5, 2026-13) is not a real quarter or month.
    case invalidPeriod = "L108"

    // MARK: Syntax (L2xx)
    /// The parser expected a token or construct and found something else.
    case expectedToken = "L201"
    /// A bracket, brace or block was opened and never closed.
    case unclosedDelimiter = "L202"
    /// Expressions or blocks nest deeper than the documented limit.
    case nestingTooDeep = "L203"
    /// A declaration clause appears twice where once is allowed.
    case duplicateClause = "L204"
    /// A construct is not allowed where it stands.
    case misplaced = "L205"
    /// `linja fmt` could not print a file without changing its meaning or
    /// its comments (a formatter bug); the file is left as it is.
    case unformattable = "L206"

    // MARK: Policy structure and imports (L3xx)
    /// An import names a directory that does not exist or holds no rule files.
    case importNotFound = "L301"
    /// An import leaves the rules tree.
    case importOutsideRoot = "L302"
    /// A name is declared twice in one policy.
    case duplicateDeclaration = "L303"
    /// A declaration has the name of an imported one and does not say `overrides`.
    case silentOverride = "L304"
    /// `overrides` names nothing imported.
    case overrideWithoutTarget = "L305"
    /// A policy declares no record, or more than one.
    case recordCount = "L306"
    /// An area or municipality declaration is inconsistent (responsible municipality outside the area, a municipality in two areas).
    case areaStructure = "L307"
    /// Policies import each other in a cycle.
    case importCycle = "L308"
    /// A policy path does not exist, cannot be read, or holds no rule files.
    case unreadable = "L309"

    // MARK: Names (L4xx)
    /// A name that no declaration in the policy or its imports gives.
    case unknownName = "L401"
    /// A field the record does not have.
    case unknownField = "L402"
    /// A municipality no area declares.
    case unknownMunicipality = "L403"
    /// An outcome the policy's vocabulary does not declare.
    case unknownOutcome = "L404"
    /// A value the enumeration does not have.
    case unknownEnumValue = "L405"
    /// A target or goal no goal declares.
    case unknownTarget = "L406"
    /// A builtin function that does not exist, or a call with the wrong arguments.
    case badCall = "L407"
    /// Lets or params that depend on themselves.
    case cyclicDefinition = "L408"

    // MARK: Types and units (L5xx)
    /// An expression has a type other than the one its place needs.
    case typeMismatch = "L501"
    /// Values whose units cannot be compared or combined (days with months, a duration with a percentage).
    case unitMismatch = "L502"
    /// An optional value is used without saying what a missing value means.
    case optionalUnhandled = "L503"
    /// A `case` expression over an enumeration leaves values without a branch.
    case missingCase = "L504"
    /// A param's value is not a constant of its declared type, or its dated values are out of order.
    case invalidParam = "L505"
    /// Arithmetic on constants overflows or divides by zero.
    case arithmetic = "L506"

    // MARK: Rules (L6xx)
    /// Two rules or variants can give one outcome different targets for the same client.
    case ruleConflict = "L601"
    /// A variant's scope lies outside the rule's scope or outside every area.
    case variantOutOfScope = "L602"
    /// A municipality falls in two variants of equal specificity and the rule does not say which wins.
    case ambiguousVariant = "L603"
    /// An outcome is used with the wrong form (`refer` without `to`, a target it does not declare).
    case outcomeForm = "L604"
    /// A rule's `from` is after its `until`.
    case effectiveDates = "L605"
    /// A rule can never apply (empty scope, `when false`).
    case deadRule = "L606"

    // MARK: Goals and verdicts (L7xx)
    /// A target is malformed (unit mismatch between target and baseline, a per-year share).
    case targetForm = "L701"
    /// The verdict policy is missing or incomplete.
    case verdictPolicy = "L702"
    /// A measured target's aggregate is not well formed.
    case aggregateForm = "L703"

    // MARK: Tests (L8xx)
    /// A test block is malformed (no client, unknown expectation, bad table).
    case testForm = "L801"

    // MARK: Evaluation (L9xx)
    /// A value could not be computed for the client at hand (division by
    /// zero, a result too large): reported where an expression is evaluated
    /// on its own, in the REPL.
    case evaluation = "L901"

    // MARK: Warnings (W9xx)
    /// A declaration nothing uses.
    case unused = "W901"
    /// `is missing`, `is present` or `otherwise` on a value that is never missing.
    case neverMissing = "W902"
    /// A target counts in a unit word (`tapahtumaa`) that no `unit` declaration
    /// gives a form after 1 for: outputs would read "1 tapahtumaa".
    case unitWithoutForms = "W903"
    /// A name mixes letters of two scripts (a Cyrillic `і` among Latin
    /// letters), so it can look like another name and not be it.
    case mixedScript = "W904"
    /// A bidirectional control character (U+202E and its kin) in a comment
    /// or a string: it can make the text read otherwise than it runs
    /// ("Trojan Source").
    case bidiControl = "W905"

    public var defaultSeverity: Severity {
        switch self {
        case .unused, .neverMissing, .unitWithoutForms, .mixedScript, .bidiControl: return .warning
        default: return .error
        }
    }

    /// The code's readable name, e.g. `unknown-municipality`.
    public var name: String {
        var out = ""
        var previousWasLower = false
        for ch in String(describing: self) {
            if ch.isUppercase, previousWasLower { out += "-" }
            out += ch.lowercased()
            previousWasLower = ch.isLowercase
        }
        return out
    }
}
