import Foundation
import LinjaTestSupport
import Testing

/// The report's commands as scripts use them: data for spreadsheets and BI
/// tools, JSON Lines that say so in their name, the summary in long format.
struct ReportCLITests {
    @Test func generateWritesJSONLinesUnderAJSONLinesName() throws {
        let out = CLI.temp("clients.jsonl", "")
        let r = try CLI.run(["generate", "clients", "--policy", "rules/etela-keski-suomi", "--count", "5", "--as-of", "2026-03-31", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 5)
        for l in lines { #expect((try? JSONSerialization.jsonObject(with: Data(l.utf8))) is [String: Any], "\(l)") }
        let run = try CLI.run(["run", "rules/etela-keski-suomi", "--clients", out, "--as-of", "2026-03-31", "--format", "jsonl"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.split(separator: "\n").count == 5)
    }

    @Test func generateRefusesCSVUnderAJSONLinesName() throws {
        let out = CLI.temp("clients2.jsonl", "")
        let r = try CLI.run(["generate", "clients", "--policy", "rules/etela-keski-suomi", "--count", "5", "--as-of", "2026-03-31",
                             "--out", out, "--format", "csv"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--format csv does not fit --out"))
    }

    @Test func theSummaryInLongFormatForSpreadsheets() throws {
        let r = try CLI.run(["run", "rules/pohjois-karjala", "--clients", "rules/pohjois-karjala/sample/clients.csv", "--as-of", "2026-03-31",
                             "--summary", "--format", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\r\n").map(String.init)
        #expect(lines.first == "policy,as_of,place_kind,place,outcome_kind,outcome,target,label,count,hidden")
        // A shown count, and a hidden one with no number.
        #expect(lines.contains { $0.contains(",municipality,Joensuu,assess,intermediate_labour_market,,") && $0.hasSuffix(",408,") })
        #expect(lines.contains { $0.hasSuffix(",,under 5") })
    }

    @Test func theReportExportsDataAndTheHTMLHasNoScripts() throws {
        let dir = Scratch.root + "linja-report-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.run(["report", "rules/etela-keski-suomi", "--out", dir + "/r.html", "--export", dir + "/r.csv"])
        #expect(r.status == 0, "\(r.stderr)")
        let html = try String(contentsOfFile: dir + "/r.html", encoding: .utf8)
        #expect(!html.contains("<script"))
        #expect(!html.contains("http://") && !html.contains("https://"), "self-contained: nothing fetched")
        #expect(html.contains("@page{size:A4"))
        #expect(html.contains("Tilanne 31.3.2026"))
        for code in ["as_of", "job_search_documents", "area_coach", "refer ", "flag "] { #expect(!html.contains(code), "a code word in the Finnish report: \(code)") }
        let csv = try Data(contentsOf: URL(fileURLWithPath: dir + "/r.csv"))
        #expect(Array(csv.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(r.stdout.contains("1 tapahtuma "))
    }
}
