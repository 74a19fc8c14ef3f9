import Testing
@testable import Linja
@testable import LinjaData

/// The id table shared by the run's workers: whichever order parts of a
/// file insert in, and however its tables were sized, a row repeats an id
/// exactly when an earlier row had it, and the answer names the earliest.
struct IDTableTests {
    /// Ids for `parts` parts of `rows` rows each: every third row repeats an
    /// id from anywhere before or after it (so repeats cross parts both ways).
    static func parts(_ parts: Int, rows: Int, seed: UInt64) -> [[String]] {
        var random = SplitMix64(seed: seed)
        var all: [String] = []
        for k in 0..<parts * rows {
            if k % 3 == 2, !all.isEmpty {
                all.append(all[Int(random.next() % UInt64(all.count))])
            } else {
                all.append("C\(random.next() % 1_000_000_000)-\(k)")
            }
        }
        return (0..<parts).map { Array(all[$0 * rows..<($0 + 1) * rows]) }
    }

    /// The fingerprints of a part's ids, two words per row.
    static func fingerprints(_ ids: [String]) -> [UInt64] {
        ids.flatMap { id -> [UInt64] in
            let f = Array(id.utf8).withUnsafeBytes { IDTable.fingerprint($0) }
            return [f.0, f.1]
        }
    }

    /// What a plain dictionary says: for each part, the rows whose id an
    /// earlier row had, with that row's part and row.
    static func expected(_ parts: [[String]]) -> [[(index: Int, chunk: Int, row: Int)]] {
        var first: [String: (Int, Int)] = [:]
        return parts.enumerated().map { chunk, ids in
            ids.enumerated().compactMap { row, id in
                if let f = first[id] { return (row, f.0, f.1) }
                first[id] = (chunk, row)
                return nil
            }
        }
    }

    @Test(arguments: [
        // (parts, rows per part, ids reserved for beforehand)
        (1, 10, 0), (4, 3_000, 0), (4, 3_000, 20_000), (4, 3_000, 100), (8, 2_500, 5_000_000),
    ])
    func repeatsNameTheEarliestRowWhateverTheInsertOrderAndSizing(parts count: Int, rows: Int, reserved: Int) {
        let parts = IDTableTests.parts(count, rows: rows, seed: UInt64(count * 31 + rows))
        let want = IDTableTests.expected(parts)
        let table = IDTable()
        table.reserve(ids: reserved)
        // Parts insert last first: no part has the earlier ones in yet.
        for k in (0..<count).reversed() {
            table.insert(chunk: k, fingerprints: IDTableTests.fingerprints(parts[k]), rows: Array(0..<rows))
        }
        for k in 0..<count {
            let got = table.firsts(chunk: k, fingerprints: IDTableTests.fingerprints(parts[k]), rows: Array(0..<rows))
            #expect(got.map { [$0.index, $0.chunk, $0.row] } == want[k].map { [$0.index, $0.chunk, $0.row] }, "part \(k)")
        }
        #expect(table.count == Set(parts.joined()).count)
    }

    @Test func insertingInOrderAnswersAsItGoes() {
        let parts = IDTableTests.parts(5, rows: 2_000, seed: 9)
        let want = IDTableTests.expected(parts)
        let table = IDTable()
        for (k, ids) in parts.enumerated() {
            let got = table.insert(chunk: k, fingerprints: IDTableTests.fingerprints(ids), rows: Array(0..<ids.count),
                                   earlierDone: true)
            #expect(got?.map { [$0.index, $0.chunk, $0.row] } == want[k].map { [$0.index, $0.chunk, $0.row] }, "part \(k)")
            // Reserving midway moves what is in and changes no answer.
            if k == 1 { table.reserve(ids: 50_000) }
        }
    }
}
