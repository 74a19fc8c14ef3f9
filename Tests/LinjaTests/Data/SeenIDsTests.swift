import Testing
@testable import Linja
@testable import LinjaData

/// The set of ids a client reader has seen keeps fingerprints, not strings:
/// these pin down that it still answers as a set of strings would.
struct SeenIDsTests {
    @Test func aRepeatedIdAnswersTheRowItWasFirstOn() {
        var seen = SeenIDs()
        #expect(seen.firstRow(of: "A-1", row: 2) == nil)
        #expect(seen.firstRow(of: "A-2", row: 3) == nil)
        #expect(seen.firstRow(of: "A-1", row: 4) == 2)
        #expect(seen.firstRow(of: "A-1", row: 5) == 2)
        #expect(seen.count == 2)
    }

    @Test(arguments: [
        ("", " "), ("a", "A"), ("1", "01"), ("abcdefgh", "abcdefgh\u{0}"), ("abcdefgh", "abcdefg"),
        ("Mänttä", "Mantta"), ("ä", "a"),
    ])
    func idsThatDifferAreDifferent(_ a: String, _ b: String) {
        var seen = SeenIDs()
        #expect(seen.firstRow(of: a, row: 2) == nil)
        #expect(seen.firstRow(of: b, row: 3) == nil)
    }

    @Test func canonicallyEquivalentIdsAreTheSameId() {
        var seen = SeenIDs()
        #expect(seen.firstRow(of: "Jyv\u{E4}skyl\u{E4}-7", row: 2) == nil)
        #expect(seen.firstRow(of: "Jyva\u{308}skyla\u{308}-7", row: 9) == 2)
    }

    @Test func manyIdsKeepTheirRowsThroughTheTableGrowing() {
        var seen = SeenIDs()
        let n = 200_000
        for i in 0..<n { #expect(seen.firstRow(of: "K\(i)", row: i + 2) == nil) }
        #expect(seen.count == n)
        var wrong = 0
        for i in stride(from: 0, to: n, by: 997) where seen.firstRow(of: "K\(i)", row: 0) != i + 2 { wrong += 1 }
        #expect(wrong == 0)
    }
}
