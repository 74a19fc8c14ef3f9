@testable import Linja
@testable import LinjaDisclosure

/// The two areas' routing tables over their bundled sample clients on
/// 2026-03-31 (`linja run rules/AREA --clients rules/AREA/sample/clients.csv
/// --as-of 2026-03-31 --format jsonl`, counted by outcome and municipality),
/// with the relations their policies imply. True counts, before suppression.
enum SampleTables {
    /// Joutsa, Jämsä, Keuruu, Luhanka, Multia, Mänttä-Vilppula, Petäjävesi, Toivakka.
    static let eksClients = [274, 1138, 564, 34, 99, 529, 226, 136]
    static let eksCounts: [[Int]] = [
        [0, 0, 227, 0, 0, 246, 0, 0],          // 0 assess career_guidance
        [0, 0, 227, 0, 0, 246, 0, 0],          // 1 assess skills_development (same rule)
        [11, 31, 12, 0, 5, 17, 4, 2],          // 2 eligible change_security_training
        [28, 137, 69, 2, 8, 55, 27, 14],       // 3 eligible youth_recruitment_support
        [39, 164, 73, 5, 10, 53, 27, 20],      // 4 flag initial_interview_overdue
        [39, 175, 94, 5, 14, 107, 39, 26],     // 5 flag long_term_unemployed
        [97, 383, 203, 15, 33, 172, 78, 43],   // 6 flag plan_outdated
        [94, 407, 218, 9, 29, 194, 87, 55],    // 7 flag weak_labour_market_position
        [0, 46, 0, 3, 1, 0, 10, 5],            // 8 refer integration_training → area_provider
        [8, 0, 16, 0, 0, 18, 0, 0],            // 9 refer integration_training → municipal_provider
        [21, 90, 0, 2, 7, 0, 20, 7],           // 10 refer job_search_documents → area_coach
        [0, 0, 42, 0, 0, 43, 0, 0],            // 11 refer job_search_documents → municipal_coach
    ]

    static var eks: CountGrid {
        CountGrid(limit: 5, counts: eksCounts, columnClients: eksClients, identicalRows: [[0, 1]],
                  rowsAtMost: [.init(row: 5, bound: 7)], exclusiveRows: [[8, 9], [10, 11]])
    }

    /// Joensuu; Heinävesi, Ilomantsi, Kontiolahti, Liperi, Outokumpu,
    /// Polvijärvi; Juuka, Lieksa, Nurmes; Kitee, Rääkkylä, Tohmajärvi.
    static let pkClients = [1445, 57, 90, 291, 222, 126, 84, 56, 179, 133, 207, 34, 76]
    static let pkGroups = [[0], [1, 2, 3, 4, 5, 6], [7, 8, 9], [10, 11, 12]]
    static let pkCounts: [[Int]] = [
        [95, 1, 4, 17, 15, 4, 4, 5, 10, 8, 11, 2, 7],                   // 0 assess integration_plan
        [408, 11, 29, 93, 61, 35, 33, 20, 53, 37, 70, 15, 19],          // 1 assess intermediate_labour_market
        [43, 1, 0, 9, 5, 6, 3, 3, 6, 0, 5, 1, 0],                       // 2 eligible change_security_training
        [205, 7, 10, 39, 30, 9, 7, 7, 20, 18, 24, 7, 8],                // 3 flag initial_interview_overdue
        [218, 5, 16, 53, 35, 21, 23, 13, 31, 28, 35, 8, 13],            // 4 flag long_term_unemployed
        [494, 19, 34, 100, 83, 44, 30, 21, 51, 44, 70, 11, 23],         // 5 flag plan_outdated
        [513, 17, 40, 109, 78, 42, 36, 24, 64, 44, 83, 19, 24],         // 6 flag weak_labour_market_position
        [55, 0, 1, 11, 7, 3, 3, 3, 6, 5, 9, 1, 3],                      // 7 refer integration_training → area_provider
    ]

    static var pk: CountGrid {
        CountGrid(limit: 5, counts: pkCounts, columnClients: pkClients, groups: pkGroups,
                  rowsAtMost: [.init(row: 4, bound: 6)])
    }
}
