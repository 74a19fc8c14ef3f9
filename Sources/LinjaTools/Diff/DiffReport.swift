import Linja

/// An outcome as the two versions of a policy share it: by kind, name and
/// destination, since outcome ids may differ between versions.
public struct DiffOutcome: Hashable, Sendable {
    /// `refer`, `assess`, `eligible` or `flag`.
    public var kind: String
    public var name: String
    /// The destination of a `refer` outcome.
    public var destination: String?

    public init(kind: String, name: String, destination: String? = nil) {
        self.kind = kind
        self.name = name
        self.destination = destination
    }

    /// As `linja run` writes it: `refer job_search_documents → municipal_coach`.
    public var label: String { "\(kind) \(name)" + (destination.map { " → \($0)" } ?? "") }
}

/// How many clients of one municipality gain and lose an outcome. Exact:
/// suppression of small counts happens when the report is rendered.
public struct MunicipalityChange: Sendable, Equatable {
    /// nil: clients with no municipality in the data.
    public var municipality: String?
    public var gained: Int
    public var lost: Int
}

/// One outcome whose clients change between the versions.
public struct OutcomeChange: Sendable {
    public var outcome: DiffOutcome
    /// Clients with the outcome under the old version.
    public var before: Int
    /// Clients with the outcome under the new version.
    public var after: Int
    /// Clients who have it under the new version and not under the old.
    public var gained: Int
    /// Clients who have it under the old version and not under the new.
    public var lost: Int
    /// Municipalities with any change, in the new policy's order.
    public var byMunicipality: [MunicipalityChange]

    /// The change for one municipality (zero when it has none).
    public func inMunicipality(_ name: String?) -> MunicipalityChange {
        byMunicipality.first { $0.municipality == name } ?? MunicipalityChange(municipality: name, gained: 0, lost: 0)
    }
}

/// One line of a line-by-line comparison of two texts.
public struct DiffLine: Sendable, Equatable {
    public enum Operation: String, Sendable { case same, removed, added }
    public var operation: Operation
    public var text: String

    /// `  same`, `- removed`, `+ added`.
    public var marked: String {
        switch operation {
        case .same: return "  " + text
        case .removed: return "- " + text
        case .added: return "+ " + text
        }
    }
}

/// A declaration whose meaning may have changed: its text differs (beyond
/// spacing and comments), it was added or removed, or, for a param, the
/// value in force on `as_of` differs (an override).
public struct DeclarationChange: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case rule, param, `let`, group, outcome, target, verdicts
    }
    public enum Change: String, Sendable { case added, removed, changed }

    public var kind: Kind
    public var name: String
    /// The declaration's label (Finnish), in whichever version has one.
    public var label: String?
    public var change: Change
    /// The declaration's text in the old version.
    public var before: String?
    /// The declaration's text in the new version.
    public var after: String?
    /// Where it is declared in each version (`HEAD:rules/x/rules.linja:24:1` for a revision).
    public var beforeLocation: String?
    public var afterLocation: String?
    /// For a param: its value on `as_of` in each version, overrides applied.
    public var beforeValue: String?
    public var afterValue: String?
    /// For a param: the new value comes from an override, not from the rule files.
    public var overriddenAfter: Bool
    public var overriddenBefore: Bool
    /// The texts compared line by line (empty when the texts are equal).
    public var lines: [DiffLine]
    /// Whether the text changed (a param may change only by an override).
    public var textChanged: Bool
}

/// A client whose outcomes change, with why under each version.
public struct SampleClient: Sendable {
    /// The data row (the header is row 1).
    public var row: Int
    public var id: String
    public var municipality: String?
    public var gained: [DiffOutcome]
    public var lost: [DiffOutcome]
    /// Every outcome under each version.
    public var outcomesBefore: [DiffOutcome]
    public var outcomesAfter: [DiffOutcome]
    /// The rules involved (those giving or losing a changed outcome, or whose
    /// result differs), explained under each version.
    public var before: [RuleExplanation]
    public var after: [RuleExplanation]
    /// Rules involved that one version does not have.
    public var onlyBefore: [String]
    public var onlyAfter: [String]
}

/// A target whose status or actual differs between the versions.
public struct TargetChange: Sendable {
    public var goal: String
    public var target: String
    public var label: String?
    /// nil: the version has no such target.
    public var statusBefore: TargetStatus?
    public var statusAfter: TargetStatus?
    public var actualBefore: Value?
    public var actualAfter: Value?
    /// The actuals as the goal tables show them.
    public var actualBeforeText: String
    public var actualAfterText: String
    /// Whether the actual is a count of clients (suppressed when small).
    public var isCount: Bool
    public var statusChanged: Bool { statusBefore != statusAfter }
}

/// A goal whose verdict differs between the versions.
public struct GoalChange: Sendable {
    public var goal: String
    public var label: String?
    /// nil: no verdict (or no such goal in that version).
    public var verdictBefore: String?
    public var verdictAfter: String?
    public var existsBefore: Bool
    public var existsAfter: Bool
}

/// Goals and targets compared for a period.
public struct GoalDiff: Sendable {
    public var period: Period
    /// Targets whose status changes, then those whose actual alone changes.
    public var targets: [TargetChange]
    public var goals: [GoalChange]
}

/// What a version was, as the report names it.
public struct VersionInfo: Sendable {
    /// A directory, or `HEAD:rules/etela-keski-suomi`.
    public var label: String
    public var policy: String
    /// The area as its rule files name it ("Eteläinen Keski-Suomi").
    public var area: String?
    public var fingerprint: String
    /// Param overrides, as `name` and the value's text.
    public var overrides: [(name: String, value: String)]
}

/// The result of comparing two versions of a policy over the same clients.
/// Counts here are exact; the renderers (`table()`, `json()`, `html()`)
/// show counts under `suppressBelow` as "< N".
public struct DiffReport: Sendable {
    public var old: VersionInfo
    public var new: VersionInfo
    public var asOf: Day
    /// The larger of the two versions' `report { suppress below … }`.
    public var suppressBelow: Int
    /// Data rows read, rows decided under both versions, rows rejected.
    public var read = 0
    public var compared = 0
    public var rejected = 0
    /// Whether each version read the file with its own record (the records differ).
    public var readTwice = false
    /// Clients whose outcomes differ.
    public var changedClients = 0
    /// Outcomes some client gains or loses, in the new policy's order.
    public var outcomes: [OutcomeChange] = []
    /// Declarations whose text or value changed, added or removed.
    public var declarations: [DeclarationChange] = []
    /// Up to the requested number of changed clients, explained.
    public var sample: [SampleClient] = []
    public var goals: GoalDiff?
    /// Outcomes as a Finnish reader names them (the rule files' labels).
    public var titles: [DiffOutcome: String] = [:]
    /// Params' labels by name, for the Finnish version line.
    public var paramTitles: [String: String] = [:]
    /// Rejected rows and other data problems (each once).
    public var issues: [DataIssue] = []
    public var warnings: [DataIssue] = []

    /// Whether anything differs: rules, outcomes, targets or goal verdicts.
    public var hasChanges: Bool {
        !declarations.isEmpty || !outcomes.isEmpty
            || !(goals?.targets.isEmpty ?? true) || !(goals?.goals.isEmpty ?? true)
    }

    /// The change of one outcome (nil when no client gains or loses it).
    public func change(_ outcome: DiffOutcome) -> OutcomeChange? {
        outcomes.first { $0.outcome == outcome }
    }

    /// A count as it may be shown: small groups suppressed.
    public func shown(_ n: Int) -> String {
        if n == 0 { return "0" }
        return n < suppressBelow ? "< \(suppressBelow)" : String(n)
    }

    /// Whether a count is hidden when shown.
    public func isSuppressed(_ n: Int) -> Bool { n > 0 && n < suppressBelow }
}
