import Foundation
import Testing

/// `rules/SEEDS.md` claims to list every statement of the seeds: every
/// non-blank line of every seed file must be cited there, by line
/// (`003:140`) or range (`002:88–193`, `003:145–151, 183–189`), whether it
/// carries a rule or is marked as carrying none (issue 15).
///
/// The seeds are not part of the package: they are read from the package
/// root's `../shared/seeds` (or the directory `LINJA_SEEDS` names, for a
/// checkout elsewhere). Without them the test is skipped, and says so.
enum SeedCoverage {
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let seedsDirectory: String? = {
        let beside = URL(fileURLWithPath: packageRoot).deletingLastPathComponent().appendingPathComponent("shared/seeds").path
        let candidates: [String] = [ProcessInfo.processInfo.environment["LINJA_SEEDS"], beside].compactMap { $0 }
        return candidates.first { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
    }()

    /// The seed files by number (`000` for `000_7276e0e5b9644522.txt`), as lines.
    static func seeds(in directory: String) throws -> [(number: String, lines: [Substring])] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".txt") }.sorted()
        return try names.map { name in
            let text = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
            return (String(name.prefix { $0.isNumber }), text.split(separator: "\n", omittingEmptySubsequences: false))
        }
    }

    /// Every seed line a text cites: `NNN:L` or `NNN:L–M` (en dash or hyphen),
    /// and after one, further `, L` or `, L–M` of the same seed.
    static func citations(in text: String) -> [String: [ClosedRange<Int>]] {
        var cited: [String: [ClosedRange<Int>]] = [:]
        let chars = Array(text)
        var i = 0
        func number(at j: inout Int) -> Int? {
            var digits = ""
            while j < chars.count, chars[j].isASCII, chars[j].isNumber { digits.append(chars[j]); j += 1 }
            return digits.isEmpty ? nil : Int(digits)
        }
        /// A line or range at `j`; nil (and `j` unchanged) if there is none.
        func range(at j: inout Int) -> ClosedRange<Int>? {
            var k = j
            guard let first = number(at: &k) else { return nil }
            var last = first
            if k < chars.count, chars[k] == "–" || chars[k] == "-" {
                var m = k + 1
                if let end = number(at: &m), end >= first { last = end; k = m }
            }
            j = k
            return first...last
        }
        while i < chars.count {
            // A seed number: three digits, not inside a longer number, then ':'.
            let starts = i + 3 < chars.count && (i == 0 || !(chars[i - 1].isASCII && chars[i - 1].isNumber))
                && chars[i..<i + 3].allSatisfy { $0.isASCII && $0.isNumber } && chars[i + 3] == ":"
            guard starts else { i += 1; continue }
            let seed = String(chars[i..<i + 3])
            var j = i + 4
            guard let first = range(at: &j) else { i += 1; continue }
            cited[seed, default: []].append(first)
            // `, 183–189`: a bare line of the same seed (not the next `NNN:`),
            // also after a line break.
            while j < chars.count, chars[j] == "," {
                var k = j + 1
                while k < chars.count, chars[k] == " " || chars[k] == "\n" { k += 1 }
                guard let next = range(at: &k), k >= chars.count || chars[k] != ":" else { break }
                cited[seed, default: []].append(next)
                j = k
            }
            i = j
        }
        return cited
    }

    /// Line numbers as short ranges for a failure message: `12–14, 20`.
    static func describe(_ lines: [Int]) -> String {
        var parts: [String] = []
        var i = 0
        while i < lines.count {
            var j = i
            while j + 1 < lines.count, lines[j + 1] == lines[j] + 1 { j += 1 }
            parts.append(i == j ? "\(lines[i])" : "\(lines[i])–\(lines[j])")
            i = j + 1
        }
        return parts.joined(separator: ", ")
    }
}

struct SeedCoverageTests {
    @Test func missingLinesAreDescribedAsRanges() {
        #expect(SeedCoverage.describe([1, 2, 3, 7, 9, 10]) == "1–3, 7, 9–10")
        #expect(SeedCoverage.describe([]) == "")
    }

    @Test func citationsAreReadAsLinesRangesAndContinuedRanges() {
        let cited = SeedCoverage.citations(in: "| 003:145–151, 183–189,\n212–216, 003:200 | 002:88-93 ; 004:39, 001:10 (x), 12 | 1003:5 |")
        #expect(cited["003"] == [145...151, 183...189, 212...216, 200...200])
        #expect(cited["002"] == [88...93])
        #expect(cited["004"] == [39...39])
        #expect(cited["001"] == [10...10])
        #expect(cited.count == 4)
    }

    @Test(.enabled(if: SeedCoverage.seedsDirectory != nil,
                   "SKIPPED: no seeds at the package root's ../shared/seeds (set LINJA_SEEDS to the seeds directory to run it)"))
    func everyNonBlankSeedLineIsCitedInSeedsMd() throws {
        let directory = try #require(SeedCoverage.seedsDirectory)
        let seedsMd = try String(contentsOfFile: SeedCoverage.packageRoot + "/rules/SEEDS.md", encoding: .utf8)
        let cited = SeedCoverage.citations(in: seedsMd)
        let seeds = try SeedCoverage.seeds(in: directory)
        #expect(seeds.count == 5, "expected the five seed files in \(directory)")
        for seed in seeds {
            let ranges = cited[seed.number] ?? []
            var missing: [Int] = []
            for (index, line) in seed.lines.enumerated() where !line.allSatisfy(\.isWhitespace) {
                let n = index + 1
                if !ranges.contains(where: { $0.contains(n) }) { missing.append(n) }
            }
            #expect(missing.isEmpty, "seed \(seed.number): lines not cited in rules/SEEDS.md: \(SeedCoverage.describe(missing))")
            let beyond = ranges.filter { $0.upperBound > seed.lines.count }
            #expect(beyond.isEmpty, "seed \(seed.number) has \(seed.lines.count) lines; SEEDS.md cites \(beyond.map { "\($0.lowerBound)–\($0.upperBound)" })")
        }
        let unknown = Set(cited.keys).subtracting(seeds.map(\.number))
        #expect(unknown.isEmpty, "SEEDS.md cites seeds that do not exist: \(unknown.sorted())")
    }
}
