import Foundation
import Linja
import LinjaTestSupport
import LinjaTools
import Testing

/// `linja diff` by municipality hides what the routing table hides: read
/// back from its JSON as a reader would, no hidden gain or loss can be
/// worked out from the totals, the municipalities' rows, or before and
/// after (before + gained = after + lost).
struct DiffDisclosureTests {
    /// A what-if on the first 300 sample clients: small gains in some municipalities.
    static func careerGuidanceWhatIf() throws -> DiffReport {
        let policy = try DiffFixture.load(DiffFixture.eks)
        let clients = try DiffFixture.sampleHead(300)
        defer { try? FileManager.default.removeItem(atPath: clients) }
        let twoMonths = try DiffFixture.override(policy, "career_guidance_after", "2 months")
        return try PolicyDiff(old: PolicyVersion(policy: policy), new: PolicyVersion(policy: policy, paramOverrides: twoMonths),
                              asOf: DiffFixture.asOf).run(clients: clients)
    }

    /// The same what-if on every sample client: larger groups, a few small ones.
    static func youthSupportOverAllClients() throws -> DiffReport {
        let policy = try DiffFixture.load(DiffFixture.eks)
        let twoMonths = try DiffFixture.override(policy, "career_guidance_after", "1 month")
        return try PolicyDiff(old: PolicyVersion(policy: policy), new: PolicyVersion(policy: policy, paramOverrides: twoMonths),
                              asOf: DiffFixture.asOf).run(clients: DiffFixture.sampleClients)
    }

    static func disclosed(_ any: Any?) -> Disclosed? {
        if let n = any as? Int { return .shown(n) }
        if let o = any as? [String: Any], let why = o["hidden"] as? String {
            return why == "small" ? .hidden(.primary) : .hidden(.secondary)
        }
        return nil
    }

    @Test(arguments: [0, 1])
    func noHiddenChangeCanBeWorkedOutFromTheJSON(_ which: Int) throws {
        let report = try which == 0 ? Self.careerGuidanceWhatIf() : Self.youthSupportOverAllClients()
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json().compact.utf8)) as? [String: Any])
        let outcomes = try #require(json["outcomes"] as? [[String: Any]])
        #expect(outcomes.count == report.outcomes.count)
        var anyHidden = false
        for (o, c) in zip(outcomes, report.outcomes) {
            let limit = report.suppressBelow
            var p = Publication(limit: limit)
            var shown: [Disclosed] = []
            func add(_ value: Int, _ any: Any?) throws -> CellID {
                shown.append(try #require(Self.disclosed(any), "not a figure: \(String(describing: any))"))
                return p.add(value)
            }
            let before = try add(c.before, o["before"]), after = try add(c.after, o["after"])
            let gained = try add(c.gained, o["gained"]), lost = try add(c.lost, o["lost"])
            // The clients who keep the outcome are never printed; the attacker
            // is told more than a reader: zero, small, or at least the limit.
            let k = c.before - c.lost
            shown.append(k == 0 ? .shown(0) : k < limit ? .hidden(.primary) : .hidden(.secondary))
            let kept = p.add(k)
            p.total(before, of: [kept, lost])
            p.total(after, of: [kept, gained])
            let by = try #require(o["by_municipality"] as? [String: Any])
            var g: [CellID] = [], l: [CellID] = []
            for m in c.byMunicipality {
                let cells = try #require(by[m.municipality ?? "(no municipality)"] as? [String: Any])
                g.append(try add(m.gained, cells["gained"]))
                l.append(try add(m.lost, cells["lost"]))
            }
            if !g.isEmpty { p.total(gained, of: g); p.total(lost, of: l) }
            anyHidden = anyHidden || shown.contains { $0.isHidden }
            let pinned = Attacker(p, shown, window: 60).pinned().filter { $0 != kept.index }
            #expect(pinned.isEmpty, "\(c.outcome.label): hidden figures a reader can work out: \(pinned)")
        }
        #expect(anyHidden, "the fixture needs small groups")
    }

    @Test func finnishTableAndHTMLUseLabelsAndMarkChangedValues() throws {
        let report = try Self.careerGuidanceWhatIf()
        let text = report.table(language: .fi)
        #expect(text.hasPrefix("Säännösten vertailu, tilanne 31.3.2026\n"))
        #expect(text.contains("Uraohjauksen tarpeen arviointi"))
        for o in report.outcomes { #expect(!text.contains(o.outcome.label), "code name in Finnish text: \(o.outcome.label)") }
        #expect(text.contains("Nollat näytetään."))
        // A before/after pair both shown and different: the new value is marked.
        let larger = try Self.youthSupportOverAllClients().table(language: .fi)
        #expect(larger.split(separator: "\n").contains { $0.hasPrefix("  Uraohjauksen tarpeen arviointi") && $0.contains(" *") }, "\(larger)")
        let html = report.html(language: .fi)
        #expect(html.contains("<html lang=\"fi\">"))
        #expect(html.contains("<mark>"))
        for o in report.outcomes { #expect(!html.contains(">\(o.outcome.label)<")) }
    }
}
