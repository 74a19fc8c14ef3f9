import Foundation
import Linja

/// The routing summary as every output shows it: outcomes by municipality,
/// with each row's total, each municipality's clients and, where the policy's
/// groups split its municipalities (Pohjois-Karjala's service areas), a
/// subtotal per group. Every figure went through disclosure control once
/// (`CountGrid.protect`), so the summary as text, JSON and CSV, the report in
/// the terminal and in HTML and the municipality cards all show the same
/// figures and hide the same ones: no combination of them gives a hidden
/// count away.
public struct RoutingTable: Sendable {
    public struct Row: Sendable {
        /// The outcome the row counts, or
        public var key: Summary.OutcomeKey?
        /// the target (a count of clients measured per municipality).
        public var target: Int?
        /// `kind name` (`→ destination`): the code names, for data outputs.
        public var code: String
        /// By column, in `columns` order.
        public var cells: [Disclosed]
        public var total: Disclosed
        /// By block, for blocks with a subtotal.
        public var subtotals: [Disclosed?]
    }

    /// Columns shown together: a group of the policy (with its subtotal when
    /// it has more than one municipality) or a run of municipalities.
    public struct Block: Sendable {
        /// The group's label or name; nil for a plain run of municipalities.
        public var title: String?
        /// Indexes into `columns`.
        public var columns: [Int]
        public var hasSubtotal: Bool
    }

    public let policy: Policy
    public let limit: Int
    /// Municipality ids (-1: clients with no municipality), in the policy's order.
    public let columns: [Int]
    public let blocks: [Block]
    public let clients: [Disclosed]
    public let clientsTotal: Disclosed
    /// By block (nil where the block has no subtotal).
    public let blockClients: [Disclosed?]
    public let rows: [Row]
    /// Rows that no suppression can protect (e.g. a row of four clients in
    /// four municipalities): not shown at all.
    public let withheldRows: [Summary.OutcomeKey]
    public let withheldTargets: [Int]

    /// A count of clients by municipality that a report shows beside the
    /// routing table (a target measured as a count): protected together
    /// with it, so that the two cannot be combined against a hidden count.
    public struct CountRow: Sendable {
        public var target: Int
        /// By municipality id.
        public var counts: [Int: Int]
        public init(target: Int, counts: [Int: Int]) {
            self.target = target
            self.counts = counts
        }
    }

    /// The routing summary, with `countRows` protected together with it.
    public init(summary s: Summary, countRows: [CountRow] = []) {
        self.init(policy: s.policy, outcomeCounts: s.counts, clientsByMunicipality: s.clientsByMunicipality, countRows: countRows)
    }

    /// Count rows alone (a goals report with no routing summary): no clients row.
    public init(policy: Policy, countRows: [CountRow]) {
        self.init(policy: policy, outcomeCounts: [:], clientsByMunicipality: nil, countRows: countRows)
    }

    init(policy: Policy, outcomeCounts: [Summary.OutcomeKey: [Int: Int]], clientsByMunicipality: [Int: Int]?, countRows: [CountRow]) {
        self.policy = policy
        limit = policy.report.suppressBelow
        var columns = policy.municipalities.map(\.id)
        let unplaced = (clientsByMunicipality?[-1] ?? 0) > 0 || countRows.contains { ($0.counts[-1] ?? 0) > 0 }
        if unplaced { columns.append(-1) }
        self.columns = columns
        let blocks = RoutingTable.blocks(policy, columns: columns)
        self.blocks = blocks
        let keys = outcomeCounts.keys.sorted()
        let counts = keys.map { k in columns.map { outcomeCounts[k]?[$0] ?? 0 } } + countRows.map { c in columns.map { c.counts[$0] ?? 0 } }
        let grid = CountGrid(limit: limit, counts: counts, columnClients: clientsByMunicipality.map { c in columns.map { c[$0] ?? 0 } },
                             groups: blocks.filter(\.hasSubtotal).map(\.columns), showsRowTotals: true,
                             identicalRows: RoutingTable.identicalRows(policy, keys), rowsAtMost: [],
                             exclusiveRows: RoutingTable.exclusiveRows(keys))
        let protected: CountGrid.Protected
        do {
            protected = try grid.protect()
        } catch {
            // The grid is malformed only if the counts are: hide everything rather than risk a figure.
            let hidden = Disclosed.hidden(.secondary)
            clients = columns.map { _ in hidden }
            clientsTotal = hidden
            blockClients = blocks.map { $0.hasSubtotal ? hidden : nil }
            rows = []
            withheldRows = keys
            withheldTargets = countRows.map(\.target)
            return
        }
        // A row that cannot be protected is withheld whole.
        var unprotectedRows = Set<Int>()
        if !protected.result.unprotected.isEmpty {
            let bad = Set(protected.result.unprotected)
            if let (_, layout) = try? grid.publication() {
                for (r, row) in layout.cells.enumerated() where row.contains(where: bad.contains) { unprotectedRows.insert(r) }
                if let totals = layout.rowTotals {
                    for (r, t) in totals.enumerated() where bad.contains(t) { unprotectedRows.insert(r) }
                }
            }
        }
        clients = protected.columnClients ?? columns.map { _ in .hidden(.secondary) }
        clientsTotal = protected.allClients ?? .hidden(.secondary)
        var subtotalIndex = 0
        var bc: [Disclosed?] = []
        for b in blocks {
            if b.hasSubtotal {
                bc.append(protected.groupClients?[subtotalIndex] ?? .hidden(.secondary))
                subtotalIndex += 1
            } else {
                bc.append(nil)
            }
        }
        blockClients = bc
        var rows: [Row] = []
        var withheld: [Summary.OutcomeKey] = []
        var withheldTargets: [Int] = []
        for r in 0..<(keys.count + countRows.count) {
            let k: Summary.OutcomeKey? = r < keys.count ? keys[r] : nil
            let target: Int? = r < keys.count ? nil : countRows[r - keys.count].target
            if unprotectedRows.contains(r) {
                if let k { withheld.append(k) } else if let target { withheldTargets.append(target) }
                continue
            }
            var subs: [Disclosed?] = []
            var g = 0
            for b in blocks {
                if b.hasSubtotal {
                    subs.append(r < protected.groupSubtotals.count && g < protected.groupSubtotals[r].count ? protected.groupSubtotals[r][g] : .hidden(.secondary))
                    g += 1
                } else {
                    subs.append(nil)
                }
            }
            let code = k.map { policy.outcomeTitle($0.outcome, destination: $0.destination, language: .en) }
                ?? target.map { "target \(policy.targets[$0].name)" } ?? ""
            rows.append(Row(key: k, target: target, code: code,
                            cells: protected.cells[r], total: protected.rowTotals?[r] ?? .hidden(.secondary), subtotals: subs))
        }
        self.rows = rows
        withheldRows = withheld
        self.withheldTargets = withheldTargets
    }

    /// The routing rows (outcomes), without the targets' count rows.
    public var outcomeRows: [Row] { rows.filter { $0.key != nil } }

    /// A target's count row, if it has one.
    public func row(target: Int) -> Row? { rows.first { $0.target == target } }

    /// Column blocks: the policy's groups when some of them split its
    /// municipalities into parts (each listed once), else runs of at most six.
    static func blocks(_ policy: Policy, columns: [Int]) -> [Block] {
        var chosen: [Group] = []
        var covered = Set<Int>()
        for g in policy.groups {
            let members = Set(g.members.ids)
            if members.isEmpty || !members.isDisjoint(with: covered) { continue }
            chosen.append(g)
            covered.formUnion(members)
        }
        let all = Set(policy.municipalities.map(\.id))
        if chosen.count > 1, covered == all {
            var blocks: [Block] = []
            for g in chosen {
                let cols = columns.indices.filter { g.members.ids.contains(columns[$0]) }
                blocks.append(Block(title: g.label ?? g.name, columns: cols, hasSubtotal: cols.count > 1))
            }
            let rest = columns.indices.filter { columns[$0] < 0 }
            if !rest.isEmpty { blocks.append(Block(title: nil, columns: rest, hasSubtotal: false)) }
            return blocks
        }
        return stride(from: 0, to: columns.count, by: 6).map { start in
            Block(title: nil, columns: Array(start..<min(start + 6, columns.count)), hasSubtotal: false)
        }
    }

    /// Outcomes every rule gives together (in one `then` or variant), and no
    /// rule gives apart: their rows are always equal.
    static func identicalRows(_ policy: Policy, _ keys: [Summary.OutcomeKey]) -> [[Int]] {
        var lists: [Summary.OutcomeKey: Set<String>] = [:]
        for r in policy.rules {
            let all = [(-1, r.outcomes)] + r.variants.enumerated().map { ($0.offset, $0.element.outcomes) }
            for (v, given) in all {
                for o in given {
                    lists[Summary.OutcomeKey(outcome: o.outcome, destination: o.destination ?? -1), default: []].insert("\(r.id):\(v)")
                }
            }
        }
        var byLists: [Set<String>: [Int]] = [:]
        for (i, k) in keys.enumerated() {
            guard let l = lists[k], !l.isEmpty else { continue }
            byLists[l, default: []].append(i)
        }
        return byLists.values.filter { $0.count > 1 }.map { $0.sorted() }.sorted { $0[0] < $1[0] }
    }

    /// The destinations of one outcome: a client gets at most one.
    static func exclusiveRows(_ keys: [Summary.OutcomeKey]) -> [[Int]] {
        var byOutcome: [Int: [Int]] = [:]
        for (i, k) in keys.enumerated() where k.destination >= 0 { byOutcome[k.outcome, default: []].append(i) }
        return byOutcome.keys.sorted().compactMap { byOutcome[$0].flatMap { $0.count > 1 ? $0 : nil } }
    }

    /// A column's heading: the municipality's name.
    public func columnTitle(_ c: Int, language: ReportLanguage) -> String {
        let m = columns[c]
        if m >= 0 { return policy.municipalities[m].name }
        return language.isFinnish ? "Ei kuntaa" : "No municipality"
    }

    public func title(_ row: Row, language: ReportLanguage) -> String {
        if let k = row.key { return policy.outcomeTitle(k.outcome, destination: k.destination, language: language) }
        if let t = row.target { return language.isFinnish ? (policy.targets[t].label ?? policy.targets[t].name) : policy.targets[t].name }
        return ""
    }

    /// How this table writes its figures (see `DisclosedFormat`).
    public var format: DisclosedFormat { DisclosedFormat(limit: limit) }
    public func text(_ d: Disclosed, language: ReportLanguage) -> String { format.text(d, language: language) }
    public func json(_ d: Disclosed) -> JSON { format.json(d) }
    public func legend(language: ReportLanguage) -> String { format.legend(language: language) }
}
