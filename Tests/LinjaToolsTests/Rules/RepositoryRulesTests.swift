import Foundation
import Testing
import Linja
import LinjaTools

/// What the repository's rules say that their own tests (`linja test rules/`)
/// cannot pin (issue 15): how client data is read (municipality codes, the
/// status codes of a client-system export), since rule-file tests give a
/// client's fields as values of the language, not as data codes; and what a
/// goal declares beyond its targets. Swift tests over `PolicyUnderTest`,
/// which reads fields as data files write them.
struct RepositoryRulesTests {
    static func policy(_ area: String) -> String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path + "/rules/" + area
    }

    /// Statistics Finland's municipality classification, for every
    /// municipality of both areas.
    static let officialCodes: [(area: String, name: String, code: String)] = [
        ("etela-keski-suomi", "Joutsa", "172"), ("etela-keski-suomi", "Jämsä", "182"),
        ("etela-keski-suomi", "Keuruu", "249"), ("etela-keski-suomi", "Luhanka", "435"),
        ("etela-keski-suomi", "Multia", "495"), ("etela-keski-suomi", "Mänttä-Vilppula", "508"),
        ("etela-keski-suomi", "Petäjävesi", "592"), ("etela-keski-suomi", "Toivakka", "850"),
        ("pohjois-karjala", "Joensuu", "167"), ("pohjois-karjala", "Heinävesi", "090"),
        ("pohjois-karjala", "Ilomantsi", "146"), ("pohjois-karjala", "Kontiolahti", "276"),
        ("pohjois-karjala", "Liperi", "426"), ("pohjois-karjala", "Outokumpu", "309"),
        ("pohjois-karjala", "Polvijärvi", "607"), ("pohjois-karjala", "Juuka", "176"),
        ("pohjois-karjala", "Lieksa", "422"), ("pohjois-karjala", "Nurmes", "541"),
        ("pohjois-karjala", "Kitee", "260"), ("pohjois-karjala", "Rääkkylä", "707"),
        ("pohjois-karjala", "Tohmajärvi", "848"),
    ]

    @Test func everyMunicipalityCodeIsStatisticsFinlandsAndEveryMunicipalityHasOne() throws {
        for area in ["etela-keski-suomi", "pohjois-karjala"] {
            let policy = try PolicyUnderTest(directory: Self.policy(area)).policy
            let expected = Self.officialCodes.filter { $0.area == area }
            #expect(policy.municipalities.count == expected.count, "\(area)")
            for row in expected {
                let id = policy.municipality(code: row.code)
                #expect(id.map { policy.municipalities[$0].name } == row.name, "\(area): code \(row.code)")
            }
        }
    }

    @Test func aClientRowWithCode435IsLuhanka() throws {
        let policy = try PolicyUnderTest(directory: Self.policy("etela-keski-suomi"))
        let d = try policy.decide(["municipality": "435"], like: "jamsa_client", asOf: "2026-05-01")
        let slot = try #require(policy.policy.record?.field("municipality")?.slot)
        let luhanka = try #require(policy.policy.municipality(named: "Luhanka"))
        #expect(d.values[slot] == .municipality(luhanka))
    }

    @Test func aClientRowWithCode414IsRejected() throws {
        let policy = try PolicyUnderTest(directory: Self.policy("etela-keski-suomi"))
        #expect(throws: PolicyUnderTest.LoadError.self) {
            _ = try policy.decide(["municipality": "414"], like: "jamsa_client", asOf: "2026-05-01")
        }
    }

    /// The status codes of a client-system export and the values they are read as.
    static let statusCodes: [(code: String, status: String)] = [
        ("työtön", "unemployed"), ("lomautettu", "laid_off"), ("lyhennetty työviikko", "laid_off"),
        ("lyhyt lomautus", "short_layoff"), ("työssä", "employed"), ("opiskelija", "student"),
    ]

    @Test func everyStatusCodeIsReadAsItsStatusAndAShortenedWorkingWeekIsALayOff() throws {
        for area in ["etela-keski-suomi", "pohjois-karjala"] {
            let policy = try PolicyUnderTest(directory: Self.policy(area))
            let slot = try #require(policy.policy.record?.field("status")?.slot)
            for row in Self.statusCodes {
                let fromCode = try policy.decide(["municipality": area == "pohjois-karjala" ? "Joensuu" : "Jämsä", "status": row.code], asOf: "2026-05-01")
                let fromName = try policy.decide(["municipality": area == "pohjois-karjala" ? "Joensuu" : "Jämsä", "status": row.status], asOf: "2026-05-01")
                #expect(fromCode.values[slot] == fromName.values[slot], "\(area): '\(row.code)' should be read as \(row.status)")
            }
        }
    }

    /// "poikkeus lyhyet lomautukset" (seed 003) is about short lay-offs; a
    /// shortened working week can last long, so it is not the exception.
    @Test func aNewClientOnAShortenedWorkingWeekShowsTheJobSearchDocumentsAndAShortLayOffDoesNot() throws {
        let policy = try PolicyUnderTest(directory: Self.policy("etela-keski-suomi"))
        let shortened = try policy.decide(["status": "lyhennetty työviikko"], like: "new_jamsa_client", asOf: "2026-05-01")
        #expect(shortened.gives("refer job_search_documents to area_coach"), "\(shortened.why("refer job_search_documents"))")
        let short = try policy.decide(["status": "lyhyt lomautus"], like: "new_jamsa_client", asOf: "2026-05-01")
        #expect(!short.gives("refer job_search_documents"), "\(short.why("refer job_search_documents"))")
    }

    /// Seed 000's follow-up table has no KV/LTK column, so its goals have no level.
    @Test func pohjoisKarjalasSeed000GoalsHaveNoCouncilLevel() throws {
        let policy = try PolicyUnderTest(directory: Self.policy("pohjois-karjala")).policy
        let goals = ["face_to_face", "passive_unemployment", "tno_project", "early_break", "satisfaction", "entrepreneurship", "ecosystem"]
        for name in goals {
            let goal = try #require(policy.goal(named: name), "\(name)")
            #expect(goal.level == nil, "\(name) has level \(goal.level ?? "")")
        }
    }

    /// Seed 000 reports no actual for "under-30 unemployed in other services
    /// besides the area's"; the sample carries the seed's under-30 share in
    /// any services instead, and says so where the report prints it.
    @Test func theSubstitutedUnder30ActualIsLabelledInItsNote() throws {
        let path = Self.policy("pohjois-karjala") + "/sample/actuals-2026-Q1.csv"
        let rows = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let row = try #require(rows.first { $0.hasPrefix("under30_other_services,") })
        #expect(row.contains(",24 %,"))
        #expect(row.contains("Korvaava luku, eri mittari"))
    }
}
