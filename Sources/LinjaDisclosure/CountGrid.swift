/// The shape of a routing table as the reports show it: counts by row
/// (outcome) and column (municipality), with row totals, each column's
/// clients (the municipality card's client count), subtotals for groups of
/// columns (Pohjois-Karjala's palvelualueet) and what the policy says about
/// the rows. `publication()` turns it into a `Publication` with every relation
/// a reader knows; `protect()` does that and protects it.
public struct CountGrid: Sendable {
    public var limit: Int
    /// `counts[row][column]`.
    public var counts: [[Int]]
    /// Each column's clients, shown as the table's clients row with its
    /// total, or nil when the output shows none. Every cell is at most its
    /// column's clients.
    public var columnClients: [Int]?
    /// Groups of columns whose subtotals the output shows, for every row and
    /// for the clients row.
    public var groups: [[Int]]
    /// Whether each row's total is shown.
    public var showsRowTotals: Bool
    /// Sets of rows that are always equal (outcomes one rule always gives
    /// together); hidden identically.
    public var identicalRows: [[Int]]
    /// Rows that are at most another row, cell by cell (an outcome whose rule
    /// requires another outcome).
    public var rowsAtMost: [RowBound]
    /// Sets of rows no client has two of (the destinations of one outcome):
    /// in each column they add up to at most the column's clients.
    public var exclusiveRows: [[Int]]

    /// `row` is at most `bound`, cell by cell.
    public struct RowBound: Hashable, Sendable {
        public var row: Int
        public var bound: Int
        public init(row: Int, bound: Int) {
            self.row = row
            self.bound = bound
        }
    }

    public init(limit: Int, counts: [[Int]], columnClients: [Int]? = nil, groups: [[Int]] = [],
                showsRowTotals: Bool = true, identicalRows: [[Int]] = [], rowsAtMost: [RowBound] = [],
                exclusiveRows: [[Int]] = []) {
        self.limit = limit
        self.counts = counts
        self.columnClients = columnClients
        self.groups = groups
        self.showsRowTotals = showsRowTotals
        self.identicalRows = identicalRows
        self.rowsAtMost = rowsAtMost
        self.exclusiveRows = exclusiveRows
    }

    /// Where each figure of the grid sits in its publication.
    public struct Layout: Sendable {
        public var cells: [[CellID]] = []
        public var rowTotals: [CellID]? = nil
        /// `[row][group]`.
        public var groupSubtotals: [[CellID]] = []
        public var columnClients: [CellID]? = nil
        public var groupClients: [CellID]? = nil
        public var allClients: CellID? = nil
    }

    /// The grid protected: a `Disclosed` for every figure it shows.
    public struct Protected: Sendable {
        public let cells: [[Disclosed]]
        public let rowTotals: [Disclosed]?
        public let groupSubtotals: [[Disclosed]]
        public let columnClients: [Disclosed]?
        public let groupClients: [Disclosed]?
        public let allClients: Disclosed?
        public let result: ProtectedPublication
    }

    public var columnCount: Int { counts.first?.count ?? columnClients?.count ?? 0 }

    /// The publication a reader of this grid does arithmetic with.
    public func publication() throws(DisclosureError) -> (Publication, Layout) {
        let columns = columnCount
        for (r, row) in counts.enumerated() where row.count != columns {
            throw .invalidGrid("row \(r) has \(row.count) cells, not \(columns)")
        }
        if let cc = columnClients, cc.count != columns {
            throw .invalidGrid("the clients row has \(cc.count) cells, not \(columns)")
        }
        for (g, group) in groups.enumerated() {
            if let bad = group.first(where: { $0 < 0 || $0 >= columns }) { throw .invalidGrid("group \(g) names column \(bad), which does not exist") }
            if Set(group).count != group.count { throw .invalidGrid("group \(g) names a column twice") }
        }
        // Counts are checked here too, before any row or group is summed.
        for (r, row) in counts.enumerated() {
            if let bad = row.first(where: { $0 < 0 || $0 > Publication.maximumCount }) {
                throw .invalidGrid("row \(r) has a count \(bad) outside 0…\(Publication.maximumCount)")
            }
        }
        if let bad = columnClients?.first(where: { $0 < 0 || $0 > Publication.maximumCount }) {
            throw .invalidGrid("the clients row has a count \(bad) outside 0…\(Publication.maximumCount)")
        }
        if counts.count * columns > Publication.maximumCells { throw .tooManyCells(counts.count * columns) }
        let rows = counts.count
        let rowRefs = identicalRows.flatMap { $0 } + rowsAtMost.flatMap { [$0.row, $0.bound] } + exclusiveRows.flatMap { $0 }
        if let bad = rowRefs.first(where: { $0 < 0 || $0 >= rows }) { throw .invalidGrid("row \(bad) does not exist") }
        if !exclusiveRows.isEmpty && columnClients == nil { throw .invalidGrid("exclusive rows need the clients row") }

        var p = Publication(limit: limit)
        var layout = Layout()
        for row in counts {
            let ids = row.map { p.add($0) }
            layout.cells.append(ids)
            layout.groupSubtotals.append(groups.map { g in
                let id = p.add(g.reduce(0) { $0 + row[$1] })
                p.total(id, of: g.map { ids[$0] })
                return id
            })
        }
        if showsRowTotals {
            layout.rowTotals = counts.enumerated().map { r, row in
                let id = p.add(row.reduce(0, +))
                p.total(id, of: layout.cells[r])
                return id
            }
        }
        if let cc = columnClients {
            let ids = cc.map { p.add($0) }
            layout.columnClients = ids
            layout.groupClients = groups.map { g in
                let id = p.add(g.reduce(0) { $0 + cc[$1] })
                p.total(id, of: g.map { ids[$0] })
                return id
            }
            let all = p.add(cc.reduce(0, +))
            p.total(all, of: ids)
            layout.allClients = all
            for r in 0..<rows { for c in 0..<columns { p.atMost(layout.cells[r][c], ids[c]) } }
            for set in exclusiveRows where set.count > 1 {
                let unique = Array(Set(set)).sorted()
                for c in 0..<columns { p.sumAtMost(unique.map { layout.cells[$0][c] }, ids[c]) }
            }
        }
        for set in identicalRows {
            for (a, b) in zip(set, set.dropFirst()) where a != b {
                for c in 0..<columns { p.identical(layout.cells[a][c], layout.cells[b][c]) }
                for g in groups.indices { p.identical(layout.groupSubtotals[a][g], layout.groupSubtotals[b][g]) }
                if let t = layout.rowTotals { p.identical(t[a], t[b]) }
            }
        }
        for rb in rowsAtMost where rb.row != rb.bound {
            for c in 0..<columns { p.atMost(layout.cells[rb.row][c], layout.cells[rb.bound][c]) }
        }
        return (p, layout)
    }

    /// Protects the grid: primary and secondary suppression over every
    /// figure it shows.
    public func protect() throws(DisclosureError) -> Protected {
        let (p, layout) = try publication()
        let result = try p.protect()
        return Protected(
            cells: layout.cells.map { $0.map { result[$0] } },
            rowTotals: layout.rowTotals.map { $0.map { result[$0] } },
            groupSubtotals: layout.groupSubtotals.map { $0.map { result[$0] } },
            columnClients: layout.columnClients.map { $0.map { result[$0] } },
            groupClients: layout.groupClients.map { $0.map { result[$0] } },
            allClients: layout.allClients.map { result[$0] },
            result: result)
    }
}
