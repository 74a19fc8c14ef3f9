import Linja

/// The outcome table of `linja diff` as it may be shown: every count under
/// the disclosure control of `LinjaDisclosure`, like the routing table.
///
/// A reader of one outcome's rows knows: the gains are the sum of the
/// municipalities' gains, the losses the sum of theirs, and before + gained
/// = after + lost. The last is written with the clients who keep the
/// outcome (kept = before − lost = after − gained), a figure the diff never
/// prints but which the check treats as known, so nothing a reader could
/// learn elsewhere about it frees a hidden count. Municipalities with no
/// change are not listed: their zeros are known, as zeros are everywhere.
/// Outcomes share no equation in the table, so each is protected on its own.
public struct DiffDisclosure: Sendable {
    public struct Outcome: Sendable {
        public var before: Disclosed
        public var after: Disclosed
        public var gained: Disclosed
        public var lost: Disclosed
        /// In the order of `OutcomeChange.byMunicipality`.
        public var byMunicipality: [(gained: Disclosed, lost: Disclosed)]
    }

    /// In the order of `DiffReport.outcomes`.
    public var outcomes: [Outcome]
    /// The clients whose outcomes change.
    public var changedClients: Disclosed
    public var format: DisclosedFormat

    public init(_ report: DiffReport) {
        let limit = report.suppressBelow
        format = DisclosedFormat(limit: limit)
        outcomes = report.outcomes.map { DiffDisclosure.protect($0, limit: limit) }
        changedClients = DiffDisclosure.alone(report.changedClients, limit: limit)
    }

    static func alone(_ n: Int, limit: Int) -> Disclosed {
        n > 0 && n < limit ? .hidden(.primary) : .shown(n)
    }

    static func protect(_ c: OutcomeChange, limit: Int) -> Outcome {
        var p = Publication(limit: limit)
        let before = p.add(c.before), after = p.add(c.after)
        let gained = p.add(c.gained), lost = p.add(c.lost)
        let kept = p.add(max(0, c.before - c.lost))
        let parts = c.byMunicipality.map { (p.add($0.gained), p.add($0.lost)) }
        p.total(before, of: [kept, lost])
        p.total(after, of: [kept, gained])
        if !parts.isEmpty {
            p.total(gained, of: parts.map(\.0))
            p.total(lost, of: parts.map(\.1))
        }
        guard let r = try? p.protect() else {
            // Counts that break their own equations are a bug upstream: show nothing rather than risk a figure.
            let h = Disclosed.hidden(.secondary)
            return Outcome(before: h, after: h, gained: h, lost: h, byMunicipality: parts.map { _ in (h, h) })
        }
        return Outcome(before: r[before], after: r[after], gained: r[gained], lost: r[lost],
                       byMunicipality: parts.map { (r[$0.0], r[$0.1]) })
    }
}
