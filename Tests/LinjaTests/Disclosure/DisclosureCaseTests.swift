import Testing
import LinjaTestSupport
@testable import Linja
@testable import LinjaDisclosure

/// Shorthands for expected cells.
private let P = Disclosed.hidden(.primary)
private let S = Disclosed.hidden(.secondary)
private func n(_ v: Int) -> Disclosed { .shown(v) }

/// Only the small counts hidden: what the outputs do before secondary suppression.
func primaryOnly(_ p: Publication) -> [Disclosed] {
    p.values.map { $0 >= 1 && $0 < p.limit ? .hidden(.primary) : .shown($0) }
}

/// Protects a grid, recording an issue instead of throwing.
func protectGrid(_ g: CountGrid) -> (Publication, CountGrid.Protected)? {
    do {
        let (p, _) = try g.publication()
        return (p, try g.protect())
    } catch {
        Issue.record("unexpected \(error)")
        return nil
    }
}

/// The cases from issue 16 and the relations the policy implies, each as a
/// small table whose secondary suppression is worked out by hand.
@Suite struct DisclosureCaseTests {
    /// Etelä-Keski-Suomi's sample clients per municipality (Joutsa, Jämsä,
    /// Keuruu, Luhanka, Multia, Mänttä-Vilppula, Petäjävesi, Toivakka).
    static let eksClients = [274, 1138, 564, 34, 99, 529, 226, 136]

    struct RowCase: CustomTestStringConvertible, Sendable {
        var name: String
        var row: [Int]
        var expected: [Disclosed]
        var total: Disclosed
        var testDescription: String { name }
    }

    /// One hidden cell beside a row total: the total gives it away unless one
    /// more cell is hidden, the smallest that can move against it.
    @Test(arguments: [
        RowCase(name: "refer job_search_documents → area_coach (147 − 145 = 2 in Luhanka)",
                row: [21, 90, 0, 2, 7, 0, 20, 7],
                expected: [n(21), n(90), n(0), P, S, n(0), n(20), n(7)], total: n(147)),
        RowCase(name: "eligible youth_recruitment_support (340 − 338 = 2 in Luhanka)",
                row: [28, 137, 69, 2, 8, 55, 27, 14],
                expected: [n(28), n(137), n(69), P, S, n(55), n(27), n(14)], total: n(340)),
        RowCase(name: "a 1 needs a partner that can give one: 5s cannot go below 5, so the total is hidden",
                row: [0, 0, 1, 5, 5, 0, 0, 0],
                expected: [n(0), n(0), P, n(5), n(5), n(0), n(0), n(0)], total: S),
        RowCase(name: "zeros are never hidden, even where they would be the cheapest partner",
                row: [0, 0, 0, 3, 0, 0, 9, 0],
                expected: [n(0), n(0), n(0), P, n(0), n(0), S, n(0)], total: n(12)),
    ])
    func aHiddenCellBesideARowTotalGetsTheCheapestPartner(_ c: RowCase) throws {
        let grid = CountGrid(limit: 5, counts: [c.row], columnClients: Self.eksClients)
        let (p, before) = try #require(protectGridPrimaryOnly(grid))
        #expect(!Attacker(p, before).pinned().isEmpty, "the total must give the hidden cell away before protection")
        let (p2, out) = try #require(protectGrid(grid))
        #expect(out.cells[0] == c.expected)
        #expect(out.rowTotals?[0] == c.total)
        #expect(Attacker(p2, out.result.cells).pinned().isEmpty)
    }

    /// Primary suppression only, for the "before" half of a case.
    func protectGridPrimaryOnly(_ g: CountGrid) -> (Publication, [Disclosed])? {
        guard let (p, _) = try? g.publication() else { return nil }
        return (p, primaryOnly(p))
    }

    struct PairCase: CustomTestStringConvertible, Sendable {
        var hidden: (Int, Int)
        var pinned: Bool
        var testDescription: String { "\(hidden.0) + \(hidden.1) pinned: \(pinned)" }
    }

    /// Two hidden cells in a row: safe only when the total and 1…4 leave
    /// each of them more than one value.
    @Test(arguments: [
        PairCase(hidden: (1, 1), pinned: true), PairCase(hidden: (4, 4), pinned: true),
        PairCase(hidden: (1, 2), pinned: false), PairCase(hidden: (3, 3), pinned: false),
        PairCase(hidden: (1, 4), pinned: false), PairCase(hidden: (4, 3), pinned: false),
    ])
    func twoHiddenCellsAreSafeOnlyWhenTheRangeLeavesRoom(_ c: PairCase) throws {
        let grid = CountGrid(limit: 5, counts: [[c.hidden.0, 10, c.hidden.1, 20]])
        let (p, _) = try grid.publication()
        let system = LinearSystem(p)
        let state: [CellState] = primaryOnly(p).map { $0.isHidden ? .primary : .shown }
        let check = IntegerCheck(system: system)
        for cell in [0, 2] {
            let (verdict, _) = check.alternative(for: cell, state)
            switch verdict {
            case .witness: #expect(!c.pinned)
            case .pinned: #expect(c.pinned)
            case .undecided: Issue.record("undecided")
            }
        }
        #expect((Attacker(p, primaryOnly(p)).attack(0) == .pinned) == c.pinned)
        let out = try grid.protect()
        #expect(out.result.statistics.secondary == (c.pinned ? 1 : 0))
        #expect(out.cells[0][1] == (c.pinned ? S : n(10)))
        #expect(Attacker(p, out.result.cells).pinned().isEmpty)
    }

    /// A municipality with fewer than 5 clients: its client count is hidden,
    /// so another municipality's count must be too, or the area total gives
    /// it away.
    @Test func aSmallMunicipalitysClientCountIsProtectedByAnotherCount() throws {
        let grid = CountGrid(limit: 5, counts: [[10, 2, 6], [20, 0, 5]], columnClients: [40, 3, 25])
        let (p, out) = try #require(protectGrid(grid))
        #expect(!Attacker(p, primaryOnly(p)).pinned().isEmpty)
        #expect(out.columnClients == [n(40), P, S])
        #expect(out.allClients == n(68))
        #expect(out.cells == [[n(10), P, S], [n(20), n(0), n(5)]])
        #expect(Attacker(p, out.result.cells).pinned().isEmpty)
    }

    /// Pohjois-Karjala's service areas (Joensuu alone; Joensuun seutu;
    /// Pielisen Karjala; Keski-Karjala) are subtotals too.
    static let pkGroups = [[0], [1, 2, 3, 4, 5, 6], [7, 8, 9], [10, 11, 12]]

    @Test func aPartnerIsFoundInsideTheSameServiceArea() throws {
        // Ilomantsi 3 in Joensuun seutu: the cheapest partner overall is a 5
        // in Pielisen Karjala, but that would break two subtotals.
        let row = [40, 10, 3, 20, 8, 6, 9, 5, 12, 8, 6, 0, 7]
        let grid = CountGrid(limit: 5, counts: [row], groups: Self.pkGroups)
        let (p, out) = try #require(protectGrid(grid))
        #expect(out.cells[0] == [n(40), n(10), P, n(20), n(8), S, n(9), n(5), n(12), n(8), n(6), n(0), n(7)])
        #expect(out.groupSubtotals[0] == [n(40), n(56), n(25), n(13)])
        #expect(out.rowTotals == [n(134)])
        #expect(Attacker(p, out.result.cells).pinned().isEmpty)
    }

    @Test func aServiceAreaOfOneMunicipalityIsProtectedByHidingTheRowTotal() throws {
        // Joensuu is a service area by itself: its subtotal equals its cell,
        // so both are primary, and only the row total can move with them in
        // one cell (any other partner also needs its own subtotal hidden).
        let row = [3, 10, 7, 20, 8, 6, 9, 5, 12, 8, 6, 0, 7]
        let grid = CountGrid(limit: 5, counts: [row], groups: Self.pkGroups)
        let (p, out) = try #require(protectGrid(grid))
        #expect(out.cells[0][0] == P)
        #expect(out.groupSubtotals[0] == [P, n(60), n(25), n(13)])
        #expect(out.rowTotals == [S])
        #expect(out.result.statistics.secondary == 1)
        #expect(Attacker(p, out.result.cells).pinned().isEmpty)
    }

    /// Outcomes one rule always gives together have identical rows: the
    /// same cells are hidden in both, or the shown twin gives the hidden one
    /// away.
    @Test func identicalRowsAreSuppressedIdentically() throws {
        let grid = CountGrid(limit: 5, counts: [[12, 3, 40, 0], [12, 3, 40, 0], [30, 7, 2, 9]],
                             columnClients: [50, 20, 60, 10], identicalRows: [[0, 1]])
        let (p, out) = try #require(protectGrid(grid))
        #expect(out.cells[0] == out.cells[1])
        #expect(out.rowTotals?[0] == out.rowTotals?[1])
        #expect(out.cells[0] == [S, P, n(40), n(0)])
        #expect(Attacker(p, out.result.cells).pinned().isEmpty)
    }

    @Test func aHiddenCellWithAShownTwinIsPinned() throws {
        var p = Publication(limit: 5)
        let a = p.add(3), b = p.add(3)
        p.identical(a, b)
        let check = IntegerCheck(system: LinearSystem(p))
        guard case .pinned = check.alternative(for: 0, [.primary, .shown]).0 else {
            Issue.record("a cell identical to a shown cell must be pinned")
            return
        }
        let out = try p.protect()
        #expect(out.cells == [P, P])
    }

    /// An outcome whose rule requires another's is at most that one, cell by
    /// cell, and a reader can use that: here it pins a cell that the row
    /// totals alone would leave free.
    @Test func anAtMostRelationBetweenRowsIsUsedByTheCheck() throws {
        // Row 1 (a) requires row 0 (b): a ≤ b in every column.
        let counts = [[2, 7, 5], [2, 7, 0]]
        let without = CountGrid(limit: 5, counts: counts)
        let with = CountGrid(limit: 5, counts: counts, rowsAtMost: [.init(row: 1, bound: 0)])
        let (pWith, _) = try with.publication()
        let naive = try without.protect()
        #expect(naive.cells == [[P, n(7), S], [P, S, n(0)]])
        // The same cells hidden, but attacked by a reader who knows a ≤ b:
        #expect(Attacker(pWith, naive.result.cells).pinned().contains(3))
        // Row 0 cannot give 1 to its hidden cell through column 1 (row 1's 7
        // sits right under it), so its total is hidden instead.
        let out = try with.protect()
        #expect(out.cells == [[P, n(7), n(5)], [P, S, n(0)]])
        #expect(out.rowTotals == [S, n(9)])
        #expect(Attacker(pWith, out.result.cells).pinned().isEmpty)
    }

    /// The destinations of one outcome are at most the clients together.
    @Test func exclusiveRowsAreUsedAsASumBound() throws {
        // Column 1: 3 + x ≤ 8 with the other destination hidden would leave
        // x ≤ 5; the check must still find every hidden cell two values.
        let grid = CountGrid(limit: 5, counts: [[20, 3, 9], [10, 5, 6]], columnClients: [40, 8, 30],
                             exclusiveRows: [[0, 1]])
        let (p, out) = try #require(protectGrid(grid))
        #expect(Attacker(p, out.result.cells).pinned().isEmpty)
        #expect(out.cells[0][1] == P)
    }

    /// Four clients with an outcome, one in each of four municipalities: the
    /// total 4 and the four cells are all hidden, yet each cell is at least
    /// 1 and they add up to at most 4, so each is 1. No suppression can help
    /// (zeros are never hidden); the cells are reported so that the output
    /// withholds the row, and nothing else is hidden in vain.
    @Test func aRowWhoseTotalEqualsItsNumberOfHiddenCellsIsReportedNotPadded() throws {
        let grid = CountGrid(limit: 5, counts: [[1, 1, 1, 1, 0, 0, 0, 0], [30, 12, 9, 20, 7, 8, 20, 11]],
                             columnClients: Self.eksClients)
        let (p, layout) = try grid.publication()
        let out = try p.protect()
        #expect(out.unprotected == layout.cells[0][0..<4] + [try #require(layout.rowTotals?[0])])
        #expect(out.statistics.secondary == 0)
        #expect(Attacker(p, out.cells, window: 10).pinned() == out.unprotected.map(\.index))
    }

    // MARK: Limits and inputs

    @Test func aLimitOfOneHidesNothing() throws {
        let out = try CountGrid(limit: 1, counts: [[1, 2, 0]], columnClients: [3, 4, 5]).protect()
        #expect(out.cells == [[n(1), n(2), n(0)]])
        #expect(out.result.statistics.primary == 0)
    }

    @Test func aLimitOfTwoIsRefusedBecauseEveryHiddenCountWouldBeKnownToBeOne() {
        #expect(throws: DisclosureError.limitCannotProtect(2)) { try CountGrid(limit: 2, counts: [[1, 5]]).protect() }
    }

    @Test func aHighLimitHidesWholeRowsWithoutPinningAnything() throws {
        let grid = CountGrid(limit: 50, counts: [[21, 90, 0, 2, 7, 0, 20, 7]], columnClients: DisclosureCaseTests.eksClients)
        let (p, out) = try #require(protectGrid(grid))
        #expect(out.result.unprotected.isEmpty)
        #expect(Attacker(p, out.result.cells, window: 120).pinned().isEmpty)
    }

    struct BadInput: CustomTestStringConvertible, Sendable {
        var name: String
        var build: @Sendable () -> Publication
        var error: DisclosureError
        var testDescription: String { name }
    }

    @Test(arguments: [
        BadInput(name: "negative count", build: {
            var p = Publication(limit: 5)
            _ = p.add(-1)
            return p
        }, error: .negativeCount(CellID(0), -1)),
        BadInput(name: "count too large", build: {
            var p = Publication(limit: 5)
            _ = p.add(Int.max)
            return p
        }, error: .countTooLarge(CellID(0), Int.max)),
        BadInput(name: "unknown cell", build: {
            var p = Publication(limit: 5)
            let a = p.add(1)
            p.total(a, of: [CellID(7)])
            return p
        }, error: .unknownCell(relation: 0, CellID(7))),
        BadInput(name: "repeated cell", build: {
            var p = Publication(limit: 5)
            let a = p.add(2), b = p.add(1)
            p.total(a, of: [b, b])
            return p
        }, error: .repeatedCell(relation: 0, CellID(1))),
        BadInput(name: "a total that does not add up", build: {
            var p = Publication(limit: 5)
            let a = p.add(10), b = p.add(3)
            p.total(a, of: [b])
            return p
        }, error: .relationDoesNotHold(relation: 0)),
        BadInput(name: "an upper bound below the count", build: {
            var p = Publication(limit: 5)
            let a = p.add(10), b = p.add(3)
            p.atMost(a, b)
            return p
        }, error: .relationDoesNotHold(relation: 0)),
        BadInput(name: "identical cells that differ", build: {
            var p = Publication(limit: 5)
            let a = p.add(10), b = p.add(3)
            p.identical(a, b)
            return p
        }, error: .relationDoesNotHold(relation: 0)),
    ])
    func badInputIsAnErrorNotATrap(_ c: BadInput) {
        #expect(throws: c.error) { try c.build().protect() }
    }

    @Test(arguments: [
        CountGrid(limit: 5, counts: [[1, 2], [3]]),
        CountGrid(limit: 5, counts: [[1, 2]], columnClients: [5]),
        CountGrid(limit: 5, counts: [[1, 2]], groups: [[0, 2]]),
        CountGrid(limit: 5, counts: [[1, 2]], groups: [[0, 0]]),
        CountGrid(limit: 5, counts: [[1, 2]], identicalRows: [[0, 1]]),
        CountGrid(limit: 5, counts: [[1, 2], [1, 2]], rowsAtMost: [.init(row: 0, bound: -1)]),
        CountGrid(limit: 5, counts: [[1, 2], [1, 2]], exclusiveRows: [[0, 1]]),
        CountGrid(limit: 5, counts: [[Int.max, 1]]),
        CountGrid(limit: 5, counts: [[1, 2]], columnClients: [Int.max, -1]),
        CountGrid(limit: Int.max, counts: [[1, 2]]),
    ])
    func aGridThatDoesNotFitItsShapeIsAnError(_ g: CountGrid) {
        #expect(throws: DisclosureError.self) { try g.protect() }
    }

    @Test func anEmptyGridHasNothingToHide() throws {
        let out = try CountGrid(limit: 5, counts: []).protect()
        #expect(out.cells.isEmpty)
        #expect(out.result.unprotected.isEmpty)
    }

    @Test func theSameTableIsAlwaysSuppressedTheSameWay() throws {
        let grid = CountGrid(limit: 5, counts: SampleTables.pkCounts, columnClients: SampleTables.pkClients,
                             groups: Self.pkGroups)
        let a = try grid.protect(), b = try grid.protect()
        #expect(a.result.cells == b.result.cells)
    }
}

extension CountGrid: CustomTestStringConvertible {
    public var testDescription: String { "\(counts.count)×\(columnCount) grid" }
}
