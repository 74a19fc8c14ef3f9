import Foundation
import Testing
import Linja
import LinjaTestSupport
@testable import LinjaTools

/// No hidden count can be worked out from what one run shows: the routing
/// summary of each area's sample data, read back from its JSON output as a
/// reader would (the shown figures, the totals, the subtotals, the clients),
/// and attacked by an integer reader written apart from the library's check.
struct OutputDisclosureTests {
    static let rules: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path + "/rules"
    }()

    static func summary(_ area: String) throws -> (Policy, Summary, RunPipeline.Counts) {
        let policy = Policy.load(directory: rules + "/" + area, root: rules)
        #expect(!policy.hasErrors)
        let reader = try ClientReader(path: rules + "/" + area + "/sample/clients.csv", policy: policy)
        var options = RunPipeline.Options()
        options.summary = true
        let asOf = Day(year: 2026, month: 3, day: 31)!
        let pipeline = RunPipeline(policy: policy, asOf: asOf, options: options)
        pipeline.run(reader, out: { _ in }, reject: { _, _ in })
        return (policy, pipeline.summary, pipeline.counts)
    }

    /// A figure of the JSON output: a number, or how it is hidden.
    static func disclosed(_ any: Any?) -> Disclosed? {
        if let n = any as? Int { return .shown(n) }
        if let o = any as? [String: Any], let why = o["hidden"] as? String {
            return why == "small" ? .hidden(.primary) : .hidden(.secondary)
        }
        return nil
    }

    @Test(arguments: ["etela-keski-suomi", "pohjois-karjala"])
    func noHiddenCountInTheSummaryCanBeWorkedOut(_ area: String) throws {
        let (policy, summary, counts) = try Self.summary(area)
        let table = RoutingTable(summary: summary)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(table.json(asOf: summary.asOf, counts: counts, unused: []).compact.utf8)) as? [String: Any])
        // Rebuild what a reader knows, from the output alone (plus the true values, which the attacker needs to bound its search).
        var p = Publication(limit: policy.report.suppressBelow)
        var disclosed: [Disclosed] = []
        func add(_ value: Int, _ shown: Any?) throws -> CellID {
            disclosed.append(try #require(Self.disclosed(shown), "not a figure: \(String(describing: shown))"))
            return p.add(value)
        }
        let names = policy.municipalities.map(\.name)
        let clientsJSON = try #require(json["clients"] as? [String: Any])
        let byM = try #require(clientsJSON["by_municipality"] as? [String: Any])
        var clientCell: [String: CellID] = [:]
        for (i, m) in policy.municipalities.enumerated() {
            clientCell[m.name] = try add(summary.clientsByMunicipality[i] ?? 0, byM[m.name])
        }
        let all = try add(summary.clients, clientsJSON["total"])
        p.total(all, of: names.compactMap { clientCell[$0] })
        let groups = json["groups"] as? [[String: Any]] ?? []
        for g in groups {
            let members = g["municipalities"] as? [String] ?? []
            let value = members.compactMap { n in policy.municipality(named: n).map { summary.clientsByMunicipality[$0] ?? 0 } }.reduce(0, +)
            let c = try add(value, g["clients"])
            p.total(c, of: members.compactMap { clientCell[$0] })
        }
        let outcomes = try #require(json["outcomes"] as? [[String: Any]])
        var rowCells: [[CellID]] = []
        for o in outcomes {
            let def = try #require(policy.outcome(named: o["name"] as? String ?? ""))
            let dest = (o["target"] as? String).flatMap { def.destinations.firstIndex(of: $0) } ?? -1
            let key = Summary.OutcomeKey(outcome: def.id, destination: dest)
            let by = try #require(o["by_municipality"] as? [String: Any])
            var cells: [CellID] = []
            for (i, m) in policy.municipalities.enumerated() {
                let c = try add(summary.counts[key]?[i] ?? 0, by[m.name])
                p.atMost(c, try #require(clientCell[m.name]))
                cells.append(c)
            }
            rowCells.append(cells)
            let total = try add(summary.counts[key]?.values.reduce(0, +) ?? 0, o["total"])
            p.total(total, of: cells)
            let byGroup = o["by_group"] as? [String: Any] ?? [:]
            for g in groups {
                let label = g["label"] as? String ?? ""
                guard byGroup[label] != nil else { continue }
                let members = g["municipalities"] as? [String] ?? []
                let idx = members.compactMap { n in policy.municipalities.firstIndex { $0.name == n } }
                let value = idx.map { summary.counts[key]?[$0] ?? 0 }.reduce(0, +)
                let sub = try add(value, byGroup[label])
                p.total(sub, of: idx.map { cells[$0] })
            }
        }
        let attacker = Attacker(p, disclosed, window: 60)
        let pinned = attacker.pinned()
        #expect(pinned.isEmpty, "\(area): hidden cells a reader can work out: \(pinned)")
        #expect(disclosed.contains { $0.isHidden }, "\(area): the sample has small counts to hide")
    }

    @Test func everyFormatShowsAndHidesTheSameFigures() throws {
        let (_, summary, counts) = try Self.summary("etela-keski-suomi")
        let table = RoutingTable(summary: summary)
        let text = table.text(language: .en)
        let csv = String(decoding: table.csv(asOf: summary.asOf, finnish: false), as: UTF8.self)
        var hiddenInJSON = 0
        for row in table.rows { for c in row.cells where c.isHidden { hiddenInJSON += 1 } }
        let hiddenInCSV = csv.split(separator: "\r\n").filter { $0.hasSuffix(",under 5") || $0.hasSuffix(",protects a small count") }
            .filter { $0.contains(",municipality,") && !$0.contains(",clients,") }.count
        #expect(hiddenInCSV == hiddenInJSON)
        let markers = text.components(separatedBy: "< 5").count - 1 + text.components(separatedBy: " ..").count - 1
        #expect(markers >= hiddenInJSON)
        _ = counts
    }

    @Test func theFinnishCSVStartsWithAByteOrderMarkForExcel() throws {
        let (_, summary, _) = try Self.summary("pohjois-karjala")
        let bytes = RoutingTable(summary: summary).csv(asOf: summary.asOf, finnish: true)
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        #expect(text.hasPrefix("policy;as_of;place_kind;place;outcome_kind;outcome;target;label;count;hidden\r\n"))
        #expect(text.contains(";31.3.2026;municipality;Joensuu;"))
    }
}
