import Foundation
import Linja

/// An area's whole picture for its readers (managers, the board, the
/// municipalities): the routing table and the goal verdicts, and for each
/// municipality the figures that mean something there. Every count about
/// people goes through disclosure control once, here; the terminal and HTML
/// renderings only print what this holds.
public struct AreaReport {
    public let policy: Policy
    public let language: ReportLanguage
    public let routing: RoutingTable?
    public let goals: GoalReport?
    public let asOf: Day?
    public let read: RunPipeline.Counts?

    public init(policy: Policy, summary: Summary?, goals: GoalReport?, counts: RunPipeline.Counts? = nil) {
        self.policy = policy
        self.goals = goals
        self.language = (goals?.language ?? .fi) == .fi ? .fi : .en
        self.asOf = summary?.asOf ?? goals?.evaluation.asOf
        self.read = counts
        let countRows = AreaReport.countRows(policy, goals)
        if let s = summary {
            routing = RoutingTable(summary: s, countRows: countRows)
        } else if !countRows.isEmpty {
            routing = RoutingTable(policy: policy, countRows: countRows)
        } else {
            routing = nil
        }
    }

    /// Targets measured as a count of clients, by municipality: protected
    /// together with the routing table.
    static func countRows(_ policy: Policy, _ goals: GoalReport?) -> [RoutingTable.CountRow] {
        guard let e = goals?.evaluation else { return [] }
        var rows: [RoutingTable.CountRow] = []
        for g in e.goals {
            for r in g.targets where !r.byMunicipality.isEmpty {
                var counts: [Int: Int] = [:]
                var all = true
                for (m, x) in r.byMunicipality {
                    if case .count(let n)? = x.figure { counts[m] = n } else { all = false }
                }
                if all, !counts.isEmpty { rows.append(RoutingTable.CountRow(target: r.target, counts: counts)) }
            }
        }
        return rows
    }

    /// A target's figure in one municipality, as a card shows it.
    public struct LocalFigure {
        public var target: Int
        /// The value as text; nil when it is hidden.
        public var value: String?
        /// Why it is hidden, in the reader's language,
        public var hiddenWhy: String?
        /// and as a code for data outputs.
        public var hiddenCode: String?
        /// The municipality's own status, where the target means something
        /// per municipality; nil for an area-wide target.
        public var status: TargetStatus?
        /// For an area-wide count: the municipality's share of the area's figure.
        public var shareOfArea: String?
        /// Whether the target means something in the municipality (its verdict may be shown).
        public var isLocal = false
        /// The municipality's own target as the reader reads it ("≤ 650 000 €"),
        /// when the data gives each municipality its own (`given euros`).
        public var ownTarget: String?
        /// That target as a plain value, for the BI export and JSON.
        public var targetValue: Value?
    }

    /// Whether a target's verdict means something in one municipality: a
    /// share, average, median or duration over its own clients, or a target
    /// the rule file declares `for each municipality`. A count for the whole
    /// area (4,100 broadly unemployed) does not: a town's 25 is no verdict.
    public static func hasLocalVerdict(_ t: TargetDef, _ figure: MeasuredFigure?) -> Bool {
        if t.forEachMunicipality { return true }
        switch figure {
        case .share?, .average?, .median?: return true
        case .count?, .sum?, .extreme?, .composite?, nil: return false
        }
    }

    /// The figures a municipality's card shows, in goal order.
    public func localFigures(municipality m: Int) -> [LocalFigure] {
        guard let report = goals else { return [] }
        let limit = policy.report.suppressBelow
        var out: [LocalFigure] = []
        for g in report.evaluation.goals {
            for r in g.targets {
                guard let x = r.byMunicipality[m] else { continue }
                let t = policy.targets[r.target]
                let local = AreaReport.hasLocalVerdict(t, x.figure)
                var f = LocalFigure(target: r.target, value: nil, hiddenWhy: nil, hiddenCode: nil, status: nil, shareOfArea: nil)
                switch x.figure {
                case .count?:
                    // A count of people: shown as the protected table has it.
                    guard let row = routing?.row(target: r.target), let c = routing?.columns.firstIndex(of: m) else {
                        f.hiddenWhy = hiddenText(.restsOnHiddenCount)
                        f.hiddenCode = "hidden"
                        out.append(f)
                        continue
                    }
                    switch row.cells[c] {
                    case .shown(let n):
                        f.value = report.value(.int(Int64(n)), t)
                        if case .shown(let total) = row.total, total > 0, n > 0 {
                            f.shareOfArea = language.percent(Double(n) * 100 / Double(total))
                        }
                    case .hidden(let why):
                        f.value = nil
                        f.hiddenWhy = why == .primary ? "< \(limit)" : ".."
                        f.hiddenCode = why == .primary ? "small_count" : "protects_small_count"
                    }
                case .share(let numerator, let group)?:
                    if let w = DerivedFigure.share(numerator: numerator).withheld(group: group, limit: limit, scope: .municipality) {
                        f.hiddenWhy = hiddenText(w)
                        f.hiddenCode = AreaReport.code(w)
                    } else {
                        f.value = report.value(x.value, t)
                    }
                case .average(let n)?, .median(let n)?, .composite(let n)?:
                    if let w = DerivedFigure.average.withheld(group: n, limit: limit, scope: .municipality) {
                        f.hiddenWhy = hiddenText(w)
                        f.hiddenCode = AreaReport.code(w)
                    } else {
                        f.value = report.value(x.value, t)
                    }
                case .sum(let n)?:
                    if n < limit { f.hiddenWhy = hiddenText(.groupTooSmall); f.hiddenCode = AreaReport.code(.groupTooSmall) } else { f.value = report.value(x.value, t) }
                case .extreme?:
                    f.hiddenWhy = hiddenText(.extremeValue)
                    f.hiddenCode = AreaReport.code(.extremeValue)
                case nil:
                    // Indicator data per municipality: not counts of people unless the policy says so.
                    f.value = report.value(x.value, t)
                    if let own = x.target, let op = t.comparison {
                        f.ownTarget = "\(report.comparisonSymbol(op)) \(report.value(own, t))"
                        f.targetValue = own
                    }
                }
                f.isLocal = local
                if local, f.value != nil { f.status = x.status }
                out.append(f)
            }
        }
        return out
    }

    static func code(_ w: DerivedFigure.Withheld) -> String {
        switch w {
        case .groupTooSmall: return "group_too_small"
        case .numeratorTooSmall: return "numerator_too_small"
        case .complementTooSmall: return "complement_too_small"
        case .extremeValue: return "extreme_value"
        case .restsOnHiddenCount: return "rests_on_hidden_count"
        case .inconsistent: return "hidden"
        }
    }

    func hiddenText(_ w: DerivedFigure.Withheld) -> String {
        let fi = language.isFinnish
        switch w {
        case .groupTooSmall: return fi ? "alle \(policy.report.suppressBelow) henkilöä" : "under \(policy.report.suppressBelow) persons"
        case .numeratorTooSmall, .complementTooSmall: return fi ? "piilotettu (pieni ryhmä)" : "hidden (a small group)"
        case .extremeValue: return fi ? "ei näytetä kunnittain" : "not shown by municipality"
        case .restsOnHiddenCount, .inconsistent: return fi ? "piilotettu" : "hidden"
        }
    }
}
