import Foundation
import Testing

/// `linja run` over the repository's rules with client rows that exercise
/// how the rules read data (issue 15): what a row is, and what it is not.
struct RulesRunTests {
    static let header = "id,municipality,birth_date,job_search_started,unemployed_since,status,immigrant,partial_work_ability,disabled,long_term_ill,in_services"

    @Test func aRowWithCode435IsDecidedAsLuhankaAndARowWithCode414IsRejected() throws {
        let path = CLI.temp("codes.csv", """
        \(Self.header)
        L1,435,1990-01-01,2026-03-25,2026-03-25,unemployed,false,false,false,false,false
        L2,414,1990-01-01,2026-03-25,2026-03-25,unemployed,false,false,false,false,false
        """)
        let r = try CLI.run(["run", "rules/etela-keski-suomi", "--clients", path, "--as-of", "2026-03-31", "--format", "csv"])
        #expect(r.status == 2)
        #expect(r.stdout.contains(",L1,Luhanka,refer,job_search_documents,area_coach,"))
        #expect(!r.stdout.contains(",L2,"))
        #expect(r.stderr.contains("codes.csv:3:2: field 'municipality': unknown municipality '414'"))
    }

    /// Seed 002 says the intermediate labour market project was still being
    /// applied for: its rule is gated by a param, true in the rules as read.
    @Test func theIntermediateLabourMarketAssessmentFollowsTheProjectsFunding() throws {
        let path = CLI.temp("ilm.csv", """
        \(Self.header)
        I1,Joensuu,1985-06-15,2025-06-01,2025-06-01,unemployed,false,true,false,false,false
        """)
        let args = ["run", "rules/pohjois-karjala", "--clients", path, "--as-of", "2026-05-01", "--format", "csv"]
        let funded = try CLI.run(args)
        #expect(funded.status == 0, "\(funded.stderr)")
        #expect(funded.stdout.contains(",I1,Joensuu,assess,intermediate_labour_market,,intermediate_labour_market"))
        let refused = try CLI.run(args + ["--param", "intermediate_labour_market_funded=false"])
        #expect(refused.status == 0, "\(refused.stderr)")
        #expect(refused.stdout.contains(",I1,Joensuu,"))
        #expect(!refused.stdout.contains("intermediate_labour_market"))
    }
}
