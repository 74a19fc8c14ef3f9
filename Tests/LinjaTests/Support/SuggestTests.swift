import Foundation
import Testing
@testable import Linja

@Suite struct SuggestTests {
    /// The plain optimal-string-alignment distance, every cell computed.
    static func fullDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }

    @Test func theBandedDistanceAgreesWithTheFullOneWithinTheLimit() {
        var rng = SplitMix64(seed: 17)
        let letters: [Character] = ["a", "b", "c", "ä"]
        for _ in 0..<3000 {
            let a = (0..<Int(rng.next() % 9)).map { _ in letters[Int(rng.next() % 4)] }
            let b = (0..<Int(rng.next() % 9)).map { _ in letters[Int(rng.next() % 4)] }
            let full = Self.fullDistance(a, b)
            #expect(Suggest.distance(a, b) == full, "\(String(a)) / \(String(b))")
            for limit in 0...4 {
                let banded = Suggest.distance(a, b, limit: limit)
                if full <= limit { #expect(banded == full, "\(String(a)) / \(String(b)) limit \(limit)") }
                else { #expect(banded > limit, "\(String(a)) / \(String(b)) limit \(limit): \(banded), full \(full)") }
            }
        }
    }

    @Test func finnishLettersCountAsOneEdit() {
        #expect(Suggest.closest("Mänttä-Vilpula", among: ["Mänttä-Vilppula", "Multia"]) == "Mänttä-Vilppula")
        #expect(Suggest.closest("keuru", among: ["Keuruu"]) == "Keuruu")
    }

    /// Issue 17, item 6: a 100,000-character name one letter off another
    /// took 46 s (every cell of a 10^10 table); the band makes it linear.
    @Test func aHundredThousandCharacterNameIsAnsweredAtOnce() {
        let long = String(repeating: "a", count: 100_000)
        let start = Date()
        #expect(Suggest.closest(long + "b", among: [long + "c", "other"]) == long + "c")
        #expect(Suggest.closest(long, among: [String(repeating: "b", count: 100_000)]) == nil)
        #expect(Date().timeIntervalSince(start) < 5)
    }
}
