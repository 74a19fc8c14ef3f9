import Foundation
import Linja
import Testing

@testable import LinjaTools

/// `linja due` in the library: the changes a client's timeline gives, the
/// words of their reasons, the JSON line, and the worklist.
enum DueFixture {
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()
    static var rules: String { packageRoot + "/rules" }
    static var eks: String { rules + "/etela-keski-suomi" }
    static let asOf: Day = Day.parse("2026-03-31") ?? Day(number: 0)

    static func load(_ directory: String, extra: String? = nil) throws -> Policy {
        let files = extra.map { [SourceFile(path: Paths.display(directory) + "/due-extra.linja", text: $0)] } ?? []
        let p = Policy.load(directory: directory, root: Paths.normalize(directory + "/.."), extraFiles: files)
        #expect(!p.hasErrors, "\(p.diagnostics.filter { $0.severity == .error }.map(\.message))")
        return p
    }

    /// A client of the record's defaults with these fields (Linja constants as text).
    static func client(_ p: Policy, _ fields: [String: String]) throws -> [Value] {
        let rec = try #require(p.record)
        return try rec.fields.map { f in
            guard let text = fields[f.name] else { return f.defaultValue ?? .missing }
            switch p.readValue(text, as: f.type) {
            case .success(let v): return v
            case .failure(let e): throw e
            }
        }
    }

    /// The client's changes in `days` days from `asOf`, by the fast path.
    static func changes(_ p: Policy, _ fields: [String: String], days: Int, language: DueLanguage = .fi,
                        asOf: Day = DueFixture.asOf) throws -> (changes: [DueChange], plan: ChangePlan) {
        let window = try #require(DayWindow(asOf: asOf, end: asOf.adding(days: days) ?? asOf))
        let plan = ChangePlan(policy: p, window: window)
        let values = try client(p, fields)
        var batch = ClientBatch(width: values.count)
        batch.append(values, record: try #require(p.record))
        let timeline = try batch.slots.withUnsafeBufferPointer { b -> ClientTimeline in
            try TimelineEvaluator(plan: plan).timeline(row: try #require(b.baseAddress), texts: batch.texts, values: { values })
        }
        #expect(timeline == (try ReferenceTimeline(plan: plan).everyDay(values)).withWatches(of: timeline))
        return (DueChange.changes(timeline, reasons: DueReasons(plan: plan, language: language), client: values), plan)
    }

    /// "2026-06-16 starts assess career_guidance: …"
    static func lines(_ r: (changes: [DueChange], plan: ChangePlan), language: DueLanguage = .fi) -> [String] {
        r.changes.map { c in
            let def = r.plan.policy.outcomes[c.outcome.outcome]
            let target = c.outcome.destination.map { " → " + def.destinations[$0] } ?? ""
            return "\(r.plan.window.day(c.day)) \(c.kind.rawValue) \(def.kind.rawValue) \(def.name)\(target): "
                + c.why(language, date: r.plan.window.day(c.day))
        }
    }
}

extension ClientTimeline {
    /// This timeline with another's watches (the every-day one names none).
    func withWatches(of other: ClientTimeline) -> ClientTimeline {
        ClientTimeline(start: start, steps: zip(steps, other.steps).map {
            ClientTimeline.Step(day: $0.day, decision: $0.decision, watches: $1.watches)
        } + steps.dropFirst(other.steps.count))
    }
}

struct DueReasonTests {
    /// The issue's examples: unemployment passes 3 months, a plan goes out
    /// of date, a youth support ends at 30 — in Finnish and in English.
    @Test func theIssuesExamplesInBothLanguages() throws {
        let p = try DueFixture.load(DueFixture.eks)
        let keuruu = ["municipality": "Keuruu", "unemployed_since": "2026-03-15",
                      "job_search_started": "2026-03-01", "plan_updated_on": "2026-03-20", "birth_date": "1980-01-01",
                      "initial_interview_on": "2026-03-05"]
        #expect(DueFixture.lines(try DueFixture.changes(p, keuruu, days: 90)) == [
            "2026-06-16 starts assess career_guidance: 16.6.2026: Työttömyyden kesto ylittää 3 kk",
            "2026-06-16 starts assess skills_development: 16.6.2026: Työttömyyden kesto ylittää 3 kk",
            "2026-06-21 starts flag plan_outdated: 21.6.2026: Suunnitelma päivitetty 20.3.2026, yli 3 kk sitten",
        ])
        #expect(DueFixture.lines(try DueFixture.changes(p, keuruu, days: 90, language: .en), language: .en) == [
            "2026-06-16 starts assess career_guidance: unemployment passes 3 months on 16.6.2026",
            "2026-06-16 starts assess skills_development: unemployment passes 3 months on 16.6.2026",
            "2026-06-21 starts flag plan_outdated: time since client.plan_updated_on (20.3.2026) passes 3 months on 21.6.2026",
        ])
        let young = ["municipality": "Jämsä", "unemployed_since": "2026-03-20", "birth_date": "1996-05-02",
                     "job_search_started": "2026-03-01", "plan_updated_on": "2026-03-25", "initial_interview_on": "2026-03-05"]
        // Turning 30 ends the youth support and, unemployed only a few weeks, the weak position.
        #expect(DueFixture.lines(try DueFixture.changes(p, young, days: 40)) == [
            "2026-05-02 ends assess youth_recruitment_support: 2.5.2026: täyttää 30 vuotta",
            "2026-05-02 ends flag weak_labour_market_position: 2.5.2026: täyttää 30 vuotta",
        ])
        #expect(DueFixture.lines(try DueFixture.changes(p, young, days: 40, language: .en), language: .en) == [
            "2026-05-02 ends assess youth_recruitment_support: turns 30 on 2.5.2026",
            "2026-05-02 ends flag weak_labour_market_position: turns 30 on 2.5.2026",
        ])
    }

    @Test func aDeadlineRolledPastAHolidayIsDueTheDayAfter() throws {
        let p = try DueFixture.load(DueFixture.eks)
        // 9.6.2026 + 10 days is Midsummer Eve (19.6.2026): the deadline is Monday 22.6.2026.
        let c = ["municipality": "Jämsä", "status": "employed", "job_search_started": "2026-06-09", "plan_updated_on": "2026-06-09"]
        let lines = DueFixture.lines(try DueFixture.changes(p, c, days: 90, asOf: Day.parse("2026-06-01") ?? DueFixture.asOf))
        #expect(lines.contains("2026-06-23 starts flag initial_interview_overdue: 23.6.2026: Alkuhaastattelun määräpäivä: 22.6.2026 ohitettu"))
    }

    @Test func aChangeOfDestinationEndsOneAndStartsTheOtherOnTheSameDay() throws {
        let p = try DueFixture.load(DueFixture.eks, extra: """
            outcome refer follow_up "Seuranta" to coach "valmentaja", expert "asiantuntija"
            rule follow_up "Seuranta" when since client.job_search_started > 7 days then refer follow_up to coach
              in Keuruu when since client.job_search_started > 30 days:
                then refer follow_up to expert
            """)
        let c = ["municipality": "Keuruu", "status": "employed", "job_search_started": "2026-03-28", "plan_updated_on": "2026-03-28",
                 "initial_interview_on": "2026-03-30"]
        let lines = DueFixture.lines(try DueFixture.changes(p, c, days: 40)).filter { $0.contains("follow_up") }
        #expect(lines == [
            "2026-04-05 starts refer follow_up → coach: 5.4.2026: Työnhaun alkamispäivä 28.3.2026, yli 7 vrk sitten",
            "2026-04-28 ends refer follow_up → coach: 28.4.2026: Työnhaun alkamispäivä 28.3.2026, yli 30 vrk sitten",
            "2026-04-28 starts refer follow_up → expert: 28.4.2026: Työnhaun alkamispäivä 28.3.2026, yli 30 vrk sitten",
        ])
    }

    @Test func ruleDatesAndDatedParamsAreReasonsToo() throws {
        let p = try DueFixture.load(DueFixture.eks, extra: """
            outcome flag spring "Kevät"
            param spring_window "Kevään ikkuna" = 10 days
              from 2026-04-20 = 40 days
            rule spring "Kevät" when since client.job_search_started <= spring_window then flag spring
              from 2026-04-10
              until 2026-05-31
            """)
        let c = ["municipality": "Jämsä", "status": "employed", "job_search_started": "2026-03-25", "plan_updated_on": "2026-03-25",
                 "initial_interview_on": "2026-03-30"]
        let r = try DueFixture.changes(p, c, days: 90)
        #expect(DueFixture.lines(r).filter { $0.contains("spring") } == [
            "2026-04-20 starts flag spring: 20.4.2026: Työnhaun alkamispäivä 25.3.2026, enintään 40 vrk sitten (Kevään ikkuna 10 vrk → 40 vrk)",
            "2026-05-05 ends flag spring: 5.5.2026: Työnhaun alkamispäivä 25.3.2026, yli 40 vrk sitten",
        ])
        let d = ["municipality": "Jämsä", "status": "employed", "job_search_started": "2026-04-05", "plan_updated_on": "2026-04-05",
                 "initial_interview_on": "2026-04-06"]
        // Not yet in force on the day the search starts; out of the window on 16.4.; back in when the window widens.
        #expect(DueFixture.lines(try DueFixture.changes(p, d, days: 90)).filter { $0.contains("spring") } == [
            "2026-04-10 starts flag spring: 10.4.2026: sääntö tulee voimaan",
            "2026-04-16 ends flag spring: 16.4.2026: Työnhaun alkamispäivä 5.4.2026, yli 10 vrk sitten",
            "2026-04-20 starts flag spring: 20.4.2026: Työnhaun alkamispäivä 5.4.2026, enintään 40 vrk sitten (Kevään ikkuna 10 vrk → 40 vrk)",
            "2026-05-16 ends flag spring: 16.5.2026: Työnhaun alkamispäivä 5.4.2026, yli 40 vrk sitten",
        ])
        let e = ["municipality": "Jämsä", "status": "employed", "job_search_started": "2026-05-25", "plan_updated_on": "2026-05-25",
                 "initial_interview_on": "2026-05-26"]
        #expect(DueFixture.lines(try DueFixture.changes(p, e, days: 90, language: .en), language: .en).filter { $0.contains("spring") } == [
            // A search starting later is within the window already (the rule does not ask `job_search_started <= as_of`).
            "2026-04-10 starts flag spring: rule spring comes into force on 10.4.2026",
            "2026-06-01 ends flag spring: rule spring is no longer in force on 1.6.2026",
        ])
    }
}

struct DueOutputTests {
    static func sampleRun(_ options: DuePipeline.Options, days: Int = 14) throws -> (DuePipeline, String) {
        let p = try DueFixture.load(DueFixture.eks)
        let window = try #require(DayWindow(asOf: DueFixture.asOf, end: DueFixture.asOf.adding(days: days) ?? DueFixture.asOf))
        let pipeline = try DuePipeline(policy: p, window: window, options: options)
        let reader = try ClientReader(path: DueFixture.eks + "/sample/clients.csv", policy: p)
        var bytes: [UInt8] = []
        pipeline.run(reader, out: { bytes += $0 }, reject: { issue, _ in Issue.record("\(issue)") })
        return (pipeline, String(decoding: bytes, as: UTF8.self))
    }

    /// Each line: the fields the issue names, `date` the first day `run`
    /// gives the new state, and `outcome` exactly `run`'s object on it (the
    /// day before, for `ends`).
    @Test func jsonLinesCarryRunsOutcomeObjectOnTheDate() throws {
        var options = DuePipeline.Options()
        options.format = .jsonl
        let (pipeline, text) = try Self.sampleRun(options)
        let policy = pipeline.policy
        let lines = text.split(separator: "\n")
        #expect(lines.count == pipeline.counts.changes)
        #expect(pipeline.counts.read == pipeline.counts.decided + pipeline.counts.rejected)
        let clients = Dictionary(uniqueKeysWithValues: try Self.readClients(policy).map { ($0.id, $0.values) })
        for line in lines.prefix(60) {
            let parsed = try JSONSerialization.jsonObject(with: Data(line.utf8))
            let o = try #require(parsed as? [String: Any])
            #expect(Set(o.keys) == ["id", "municipality", "as_of", "policy", "date", "change", "outcome", "why"])
            #expect(o["as_of"] as? String == "2026-03-31")
            let dateText = try #require(o["date"] as? String)
            let date = try #require(Day.parse(Substring(dateText)))
            let starts = o["change"] as? String == "starts"
            let id = try #require(o["id"] as? String)
            let values = try #require(clients[id])
            let outcome = try #require(o["outcome"] as? [String: Any])
            func objects(on d: Day) throws -> [NSDictionary] {
                let decision = try Evaluator(policy: policy, asOf: d).decide(values)
                return decision.outcomes.compactMap {
                    (try? JSONSerialization.jsonObject(with: Data(DecisionRenderer.outcomeJSON(policy, $0).compact.utf8))) as? NSDictionary
                }
            }
            let dayBefore = try #require(date.adding(days: -1))
            let before = try objects(on: dayBefore), after = try objects(on: date)
            let shown = outcome as NSDictionary
            if starts {
                #expect(after.contains(shown) && !before.contains { $0["name"] as? String == outcome["name"] as? String
                                                                    && $0["target"] as? String == outcome["target"] as? String })
            } else {
                #expect(before.contains(shown) && !after.contains { $0["name"] as? String == outcome["name"] as? String
                                                                    && $0["target"] as? String == outcome["target"] as? String })
            }
        }
    }

    static func readClients(_ p: Policy) throws -> [(id: String, values: [Value])] {
        let reader = try ClientReader(path: DueFixture.eks + "/sample/clients.csv", policy: p)
        var batch = ClientBatch(width: p.record?.fields.count ?? 0)
        var out: [(String, [Value])] = []
        let record = try #require(p.record)
        while true {
            batch.removeAll()
            guard case .client = reader.next(into: &batch) else { break }
            let v = batch.values(0, record: record)
            if case .text(let id) = v[0] { out.append((id, v)) }
        }
        return out
    }

    @Test func theWorklistIsSortedByDateMunicipalityAndClient() throws {
        let (pipeline, _) = try Self.sampleRun(DuePipeline.Options())
        let table = Worklist(pipeline: pipeline).table()
        let rows = table.split(separator: "\n").filter { $0.first?.isNumber == true && $0.contains("EKS-") }
        #expect(rows.count == pipeline.counts.changes)
        let keys = rows.map { r -> (Int, String, String) in
            let cells = r.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            let d = cells[0].split(separator: ".").compactMap { Int($0) }
            return (d.count == 3 ? d[2] * 10_000 + d[1] * 100 + d[0] : 0, cells[1], cells[2])
        }
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(table.contains("Asiakkaat: 3000 luettu, 3000 päätetty, 0 hylätty; \(pipeline.counts.clientsWithChanges) asiakkaalla muutoksia"))
    }

    @Test func byCaseworkerGivesASectionAndAPrintedPageEach() throws {
        var options = DuePipeline.Options()
        options.by = "caseworker"
        options.format = .html
        let (pipeline, _) = try Self.sampleRun(options)
        let worklist = Worklist(pipeline: pipeline)
        let groups = Set(pipeline.rows.map(\.group))
        #expect(groups.count > 10)
        let html = worklist.html()
        #expect(html.components(separatedBy: "<section class=\"page\">").count - 1 == groups.count)
        #expect(html.contains(".page{break-after:page"))
        #expect(html.contains("<h2 class=\"group\">Vastuuasiantuntija: "))
        // Printed, the repeated table header names the caseworker on every page of the section.
        #expect(html.components(separatedBy: "<thead><tr class=\"group\"><th colspan=\"6\">Vastuuasiantuntija: ").count - 1 == groups.count)
        // On a phone, each change is a block of its own (no table wider than the screen).
        #expect(html.contains("@media (max-width:40rem)") && html.contains("table.worklist thead{display:none}"))
        #expect(html.contains("<html lang=\"fi\">"))
        let table = worklist.table()
        #expect(table.components(separatedBy: "\n== Vastuuasiantuntija: ").count - 1 == groups.count)
        // Number agreement: "1 muutos", "2 muutosta".
        for line in table.split(separator: "\n") where line.hasPrefix("== ") {
            #expect(!line.contains(" 1 muutosta") && !line.contains(" 1 asiakasta"))
        }
    }

    @Test func anUnknownGroupingFieldIsAUsageError() throws {
        let p = try DueFixture.load(DueFixture.eks)
        var options = DuePipeline.Options()
        options.by = "casewroker"
        let window = try #require(DayWindow(asOf: DueFixture.asOf, end: DueFixture.asOf))
        #expect(throws: DuePipeline.OptionError.self) { try DuePipeline(policy: p, window: window, options: options) }
    }
}
