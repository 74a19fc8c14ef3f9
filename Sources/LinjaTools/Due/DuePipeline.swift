import Foundation
import Linja

/// One outcome a client gains or loses on a day of the window.
public struct DueChange: Sendable {
    public enum Kind: String, Sendable { case starts, ends }
    /// Offset in the window (1...length).
    public var day: Int
    public var kind: Kind
    /// The outcome as on the day (`starts`) or the day before (`ends`).
    public var outcome: DecidedOutcome
    /// Why, in the worklist's language ("Työttömyyden kesto ylittää 3 kk").
    public var reasons: [String]

    /// The reasons in one line, with the date ("unemployment passes 3 months
    /// on 16.6.2026"; in Finnish the date first, "16.6.2026: Työttömyyden
    /// kesto ylittää 3 kk", since a date after "yli 3 kk sitten" misleads).
    public func why(_ language: DueLanguage, date: Day) -> String {
        why(language, dateText: DueReasons.date(date))
    }

    func why(_ language: DueLanguage, dateText: String) -> String {
        let text = reasons.isEmpty ? (language == .fi ? "ajankohta" : "the date") : reasons.joined(separator: "; ")
        switch language {
        case .fi: return dateText + ": " + text
        case .en: return text + " on " + dateText
        }
    }

    /// A client's changes from its timeline: on each step, the outcomes
    /// (by kind, name and destination) it loses, then those it gains. A
    /// change of destination is an `ends` and a `starts` on one day; a
    /// change of only the rule that gives an outcome is no change.
    public static func changes(_ t: ClientTimeline, reasons: DueReasons, client: [Value]) -> [DueChange] {
        var out: [DueChange] = []
        var before = t.start.outcomes
        for step in t.steps {
            let after = step.decision.outcomes
            func why(_ o: DecidedOutcome) -> [String] {
                reasons.reasons(outcome: o.outcome, rules: o.rules + o.overruled, watches: step.watches, day: step.day, client: client)
            }
            for o in before where !after.contains(where: { $0.outcome == o.outcome && $0.destination == o.destination }) {
                out.append(DueChange(day: step.day, kind: .ends, outcome: o, reasons: why(o)))
            }
            for o in after where !before.contains(where: { $0.outcome == o.outcome && $0.destination == o.destination }) {
                out.append(DueChange(day: step.day, kind: .starts, outcome: o, reasons: why(o)))
            }
            before = after
        }
        return out
    }
}

/// `linja due`: clients read in input order, each decided on `as_of` and
/// again on the days a watch of the plan changes for it; its changes in the
/// window are written at once (JSON Lines, CSV) or kept for the worklist
/// (table, HTML), which is sorted in memory.
public final class DuePipeline {
    public enum Format: String, Sendable, CaseIterable { case table, jsonl, csv, html }

    public struct Options: Sendable {
        public var format: Format = .table
        public var language: DueLanguage = .fi
        /// A record field to group the worklist by (`caseworker`).
        public var by: String?
        /// Finnish spreadsheet CSV: semicolons and d.m.yyyy dates.
        public var finnishCSV = false
        public var chunkSize = 1024
        public init() {}
    }

    public struct Counts: Sendable {
        public var read = 0
        public var decided = 0
        /// Rows rejected while reading, and clients that could not be decided.
        public var rejected = 0
        public var clientsWithChanges = 0
        public var changes = 0
    }

    /// One line of the worklist.
    public struct Row: Sendable {
        public var change: DueChange
        public var id: String
        public var row: Int
        public var municipality: Int?
        public var group: String?
    }

    public let policy: Policy
    public let plan: ChangePlan
    public let options: Options
    public let reasons: DueReasons
    let engine: TimelineEvaluator
    let record: RecordType
    let idSlot: Int?
    let municipalitySlot: Int?
    let bySlot: Int?
    let formatter: ValueFormatter
    let csv: CSVWriter
    let fieldTypes: [LType]
    // Pieces of JSON lines, made once.
    let municipalityJSON: [[UInt8]]
    let provenanceJSON: [UInt8]
    let dateJSON: [[UInt8]]
    var outcomeFragments: [Int: [UInt8]] = [:]
    public private(set) var counts = Counts()
    /// Decisions made (one per client and day decided on).
    public var decisions: Int { engine.decisionCount }
    /// The worklist's rows (table and HTML only), in reading order.
    public private(set) var rows: [Row] = []

    /// An option's value that cannot be used: a span that is not one
    /// ('3 kuukautta') or goes back in time, a field the record does not have.
    public struct OptionError: Error {
        public var message: String
    }

    /// The window `as_of < date ≤ as_of + SPAN`, SPAN a duration in the
    /// language's own units ("14 days", "2 weeks", "3 months", "10 working days").
    public static func window(_ text: String, asOf: Day, policy: Policy) throws -> DayWindow {
        var read: Duration?
        for kind in [DurationKind.days, .months, .workingDays, .mixed] {
            if case .success(.duration(let d)) = policy.readValue(text, as: .duration(kind)) {
                read = d
                break
            }
        }
        guard let span = read else {
            throw OptionError(message: "must be a span such as '14 days', '2 weeks' or '3 months', not '\(text)'")
        }
        guard span.months >= 0, span.days >= 0, span.workingDays >= 0, let window = DayWindow(asOf: asOf, within: span) else {
            throw OptionError(message: "must be a span forward in time of at most \(DayWindow.maxLength) days, not '\(text)'")
        }
        return window
    }

    public init(policy: Policy, window: DayWindow, paramOverrides: [Int: Value] = [:], options: Options) throws {
        self.policy = policy
        self.options = options
        self.plan = ChangePlan(policy: policy, window: window, paramOverrides: paramOverrides)
        self.reasons = DueReasons(plan: plan, language: options.language)
        self.engine = TimelineEvaluator(plan: plan, paramOverrides: paramOverrides)
        self.record = policy.record ?? RecordType(name: "client", label: nil, fields: [], span: .none)
        self.idSlot = record.fields.firstIndex { $0.name == "id" }
        self.municipalitySlot = record.fields.firstIndex { $0.type.base == .municipality }
        self.fieldTypes = record.fields.map(\.type)
        self.formatter = ValueFormatter(policy: policy)
        self.csv = CSVWriter(dialect: options.finnishCSV ? .semicolon : .comma, continuing: true)
        // A worklist opened in spreadsheets: ids and labels cannot run as formulas.
        csv.neutralizingFormulas = true
        self.municipalityJSON = policy.municipalities.map { Array(JSON.quoted($0.name).utf8) }
        self.provenanceJSON = Array(",\"as_of\":\"\(window.asOf)\",\"policy\":\"\(policy.shortFingerprint)\",\"date\":".utf8)
        self.dateJSON = (0...window.length).map { Array("\"\(window.day($0))\"".utf8) }
        if let by = options.by {
            guard let f = record.field(by) else {
                let s = Suggest.closest(by, among: record.fields.map(\.name))
                throw OptionError(message: "the record has no field '\(by)'" + (s.map { "; did you mean '\($0)'?" } ?? ""))
            }
            self.bySlot = f.slot
        } else {
            self.bySlot = nil
        }
    }

    /// Decides every client the reader gives. Bad rows, and clients that
    /// cannot be decided on a day they are decided on, go to `reject` in row
    /// order (per chunk); JSON Lines and CSV bytes go to `out` in input order.
    public func run(_ reader: ClientReader, out: ([UInt8]) -> Void, reject: (DataIssue, [String]) -> Void) {
        if options.format == .csv { out(csvHeader()) }
        var batch = ClientBatch(width: record.fields.count, capacity: options.chunkSize)
        var rowNumbers: [Int] = []
        var rejects: [(issue: DataIssue, fields: [String])] = []
        var done = false
        while !done {
            switch reader.next(into: &batch) {
            case .client:
                rowNumbers.append(reader.row)
                if rowNumbers.count < options.chunkSize { continue }
            case .rejected(let issue):
                rejects.append((issue, reader.rawFields))
                continue
            case .end:
                done = true
            }
            process(batch, rowNumbers, &rejects, reader: reader, out: out, reject: reject)
            batch.removeAll()
            rowNumbers.removeAll(keepingCapacity: true)
        }
    }

    func process(_ batch: ClientBatch, _ rowNumbers: [Int], _ rejects: inout [(issue: DataIssue, fields: [String])],
                 reader: ClientReader, out: ([UInt8]) -> Void, reject: (DataIssue, [String]) -> Void) {
        let width = record.fields.count
        var bytes: [UInt8] = []
        counts.read += rowNumbers.count + rejects.count
        counts.rejected += rejects.count
        let texts = batch.texts
        let snapshot = batch
        snapshot.slots.withUnsafeBufferPointer { all in
            guard let base = all.baseAddress else { return }
            for i in 0..<rowNumbers.count {
                let row = base + i * width
                let found: ClientTimeline?
                do {
                    found = try engine.changes(row: row, texts: texts, values: { clientValues(row, texts) })
                } catch {
                    counts.rejected += 1
                    let message = (error as? EvalError).map { "cannot be decided: \($0)" } ?? "cannot be decided: \(error)"
                    rejects.append((DataIssue(path: reader.path, row: rowNumbers[i], message: message),
                                    reader.rawFields(of: snapshot.values(i, record: record), policy: policy)))
                    continue
                }
                counts.decided += 1
                guard let timeline = found else { continue }
                let values = clientValues(row, texts)
                let changes = DueChange.changes(timeline, reasons: reasons, client: values)
                guard !changes.isEmpty else { continue }
                counts.clientsWithChanges += 1
                counts.changes += changes.count
                let id = idSlot.map { formatter.text(values[$0]) } ?? String(rowNumbers[i])
                var m: Int?
                if let s = municipalitySlot, case .municipality(let x) = values[s] { m = x }
                let group = bySlot.flatMap { values[$0].isMissing ? nil : formatter.text(values[$0]) }
                for c in changes {
                    switch options.format {
                    case .jsonl: appendJSONLine(c, id: id, municipality: m, group: group, into: &bytes)
                    case .csv: bytes.append(contentsOf: csvLine(c, id: id, municipality: m, group: group))
                    case .table, .html: rows.append(Row(change: c, id: id, row: rowNumbers[i], municipality: m, group: group))
                    }
                }
            }
        }
        rejects.sort { $0.issue.row < $1.issue.row }
        for r in rejects { reject(r.issue, r.fields) }
        rejects.removeAll()
        if !bytes.isEmpty { out(bytes) }
    }

    /// A client's values (what `ClientBatch.values` gives, without copying the record's fields).
    func clientValues(_ row: UnsafePointer<Int64>, _ texts: [String]) -> [Value] {
        var out: [Value] = []
        out.reserveCapacity(fieldTypes.count)
        for (i, t) in fieldTypes.enumerated() { out.append(Slot.decode(row[i], t, texts: texts)) }
        return out
    }

    func municipalityName(_ m: Int?) -> String {
        guard let m, m >= 0, m < policy.municipalities.count else { return "" }
        return policy.municipalities[m].name
    }

    /// One change as a JSON line: the client, the date, `starts`/`ends`, the
    /// outcome exactly as `linja run --format jsonl` writes it, and why.
    /// Written as bytes from pieces made once (a line per change of a
    /// million clients is the hot path).
    func appendJSONLine(_ c: DueChange, id: String, municipality m: Int?, group: String?, into out: inout [UInt8]) {
        out.append(contentsOf: Self.idKey)
        JSON.appendQuoted(id, into: &out)
        out.append(contentsOf: Self.municipalityKey)
        if let m, m >= 0, m < municipalityJSON.count { out.append(contentsOf: municipalityJSON[m]) } else { out.append(contentsOf: Self.emptyString) }
        out.append(contentsOf: provenanceJSON)
        out.append(contentsOf: dateJSON[c.day])
        out.append(contentsOf: c.kind == .starts ? Self.startsKey : Self.endsKey)
        let o = c.outcome
        if o.rules.count == 1, o.overruled.isEmpty {
            let key = (o.outcome << 40) | (((o.destination ?? -1) + 1) << 20) | o.rules[0]
            if let f = outcomeFragments[key] {
                out.append(contentsOf: f)
            } else {
                let f = Array(DecisionRenderer.outcomeJSON(policy, o).compact.utf8)
                outcomeFragments[key] = f
                out.append(contentsOf: f)
            }
        } else {
            out.append(contentsOf: DecisionRenderer.outcomeJSON(policy, o).compact.utf8)
        }
        out.append(contentsOf: Self.whyKey)
        JSON.appendQuoted(c.why(options.language, dateText: reasons.date(day: c.day)), into: &out)
        if let by = options.by {
            out.append(contentsOf: Array(",\(JSON.quoted(by)):".utf8))
            if let group { JSON.appendQuoted(group, into: &out) } else { out.append(contentsOf: Array("null".utf8)) }
        }
        out.append(contentsOf: Self.lineEnd)
    }

    static let idKey = Array("{\"id\":".utf8)
    static let municipalityKey = Array(",\"municipality\":".utf8)
    static let emptyString = Array("\"\"".utf8)
    static let startsKey = Array(",\"change\":\"starts\",\"outcome\":".utf8)
    static let endsKey = Array(",\"change\":\"ends\",\"outcome\":".utf8)
    static let whyKey = Array(",\"why\":".utf8)
    static let lineEnd = Array("}\n".utf8)

    var csvColumns: [String] {
        ["policy", "as_of", "date", "id", "municipality"] + (options.by.map { [$0] } ?? [])
            + ["change", "kind", "name", "target", "rule", "label", "why"]
    }

    func csvHeader() -> [UInt8] {
        let header = CSVWriter(dialect: options.finnishCSV ? .semicolon : .comma)
        try? header.writeRecord(csvColumns)
        return header.bytes
    }

    func csvDate(_ d: Day) -> String { options.finnishCSV ? DueReasons.date(d) : d.description }

    func csvLine(_ c: DueChange, id: String, municipality m: Int?, group: String?) -> [UInt8] {
        csv.clearMemory()
        let def = policy.outcomes[c.outcome.outcome]
        var fields = [policy.shortFingerprint, csvDate(plan.window.asOf), csvDate(plan.window.day(c.day)), id, municipalityName(m)]
        if options.by != nil { fields.append(group ?? "") }
        fields += [c.kind.rawValue, def.kind.rawValue, def.name, c.outcome.destination.map { def.destinations[$0] } ?? "",
                   policy.rules[c.outcome.rules[0]].name, def.label ?? "", c.why(options.language, date: plan.window.day(c.day))]
        try? csv.writeRecord(fields)
        return csv.bytes
    }
}
