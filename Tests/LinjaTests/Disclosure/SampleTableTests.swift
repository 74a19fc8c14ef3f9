import Foundation
import Testing
import LinjaTestSupport
@testable import Linja
@testable import LinjaDisclosure

/// The two areas' real routing tables: protected, safe against the
/// attacker, and fast. `LINJA_DISCLOSURE_BENCH=1` prints the time per table.
@Suite struct SampleTableTests {
    @Test(arguments: [("etela-keski-suomi", SampleTables.eks), ("pohjois-karjala", SampleTables.pk)])
    func theSampleRoutingTableIsProtected(_ area: String, _ grid: CountGrid) throws {
        let (p, _) = try grid.publication()
        #expect(!Attacker(p, primaryOnly(p), window: 10).pinned().isEmpty, "\(area): primary suppression alone is already safe?")
        let out = try grid.protect()
        #expect(out.result.unprotected.isEmpty)
        #expect(out.result.statistics.undecided == 0)
        #expect(Attacker(p, out.result.cells, window: 10).pinned().isEmpty)
        // Every count from 1 to 4 is hidden and nothing else is hidden as primary.
        for (v, d) in zip(p.values, out.result.cells) {
            #expect((v >= 1 && v < 5) == (d == .hidden(.primary)))
        }
    }

    /// The issue's two examples: Luhanka's `refer job_search_documents →
    /// area_coach` (147 − 145) and `eligible youth_recruitment_support`
    /// (340 − 338) no longer follow from their row totals.
    @Test func luhankasHiddenCountsNoLongerFollowFromTheRowTotals() throws {
        let (p, layout) = try SampleTables.eks.publication()
        let out = try p.protect()
        let attacker = Attacker(p, out.cells, window: 10)
        for row in [10, 3] {
            let luhanka = layout.cells[row][3]
            #expect(out[luhanka] == .hidden(.primary))
            #expect(attacker.attack(luhanka.index) != .pinned)
            // Some other cell of the row is hidden beside it.
            #expect(layout.cells[row].filter { out[$0].isHidden }.count >= 2)
        }
    }

    @Test func identicalOutcomesAreSuppressedIdenticallyInTheSample() throws {
        let out = try SampleTables.eks.protect()
        #expect(out.cells[0] == out.cells[1])
    }

    /// Milliseconds per protection of each area's table (printed only with
    /// `LINJA_DISCLOSURE_BENCH=1`; run it with `-c release` for real numbers).
    /// CPU time (`clock()`), not wall time: the machine is shared. The two
    /// areas run one after the other, so the process's CPU time is theirs.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["LINJA_DISCLOSURE_BENCH"] == "1"))
    func benchmark() throws {
        for (area, grid) in [("etela-keski-suomi", SampleTables.eks), ("pohjois-karjala", SampleTables.pk)] {
            let runs = 500
            var stats = ProtectedPublication.Statistics()
            let start = clock()
            for _ in 0..<runs { stats = try grid.protect().result.statistics }
            let ms = Double(clock() - start) / Double(CLOCKS_PER_SEC) * 1000 / Double(runs)
            print("disclosure bench \(area): \(grid.counts.count)×\(grid.columnCount), \(String(format: "%.3f", ms)) ms CPU per table; \(stats)")
        }
    }
}
