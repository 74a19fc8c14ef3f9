import Foundation
import Testing
import LinjaTools

/// The Swift API for asserting policy outcomes, used on the repository's own rules.
struct PolicyUnderTestTests {
    static let eks: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path + "/rules/etela-keski-suomi"
    }()

    @Test func keuruuClientOverThreeMonthsGetsACareerGuidanceAssessment() throws {
        let policy = try PolicyUnderTest(directory: Self.eks)
        let d = try policy.decide(["municipality": "Keuruu", "unemployed_since": "2026-01-15"], like: "keuruu_client", asOf: "2026-05-01")
        #expect(d.gives("assess career_guidance"), "\(d.why("assess career_guidance"))")
        #expect(!d.gives("refer job_search_documents"), "\(d.why("refer job_search_documents"))")
    }

    @Test func theExplanationNamesTheRuleFileLocationAndTheValues() throws {
        let policy = try PolicyUnderTest(directory: Self.eks)
        let d = try policy.decide(["municipality": "Keuruu", "unemployed_since": "2026-03-15"], like: "keuruu_client", asOf: "2026-05-01")
        #expect(!d.gives("assess career_guidance"))
        let why = d.why("assess career_guidance")
        #expect(why.contains("rules/etela-keski-suomi/rules.linja:"))
        #expect(why.contains("1 month 16 days"))
    }

    @Test func aBadFieldValueIsAClearError() throws {
        let policy = try PolicyUnderTest(directory: Self.eks)
        #expect(throws: PolicyUnderTest.LoadError.self) {
            _ = try policy.decide(["unemployed_since": "31.2.2026"], like: "keuruu_client", asOf: "2026-05-01")
        }
    }
}
