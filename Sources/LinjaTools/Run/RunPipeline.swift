import Foundation
import Linja

/// `linja run`: clients read, decided and written in one pass, in input
/// order, in bounded memory.
public final class RunPipeline {
    public enum Format: String, Sendable, CaseIterable { case table, json, jsonl, csv }

    public struct Options: Sendable {
        public var format: Format = .table
        public var explain = false
        public var only: String?
        public var summary = false
        /// Finnish spreadsheet CSV: semicolons, decimal commas, d.m.yyyy dates.
        public var finnishCSV = false
        /// Bad rows printed before the rest are only counted.
        public var maxErrors = 20
        public init() {}
    }

    public struct Counts: Sendable {
        public var read = 0
        public var decided = 0
        public var rejected = 0
        public var failed = 0
    }

    public let policy: Policy
    public let asOf: Day
    public let options: Options
    let evaluator: Evaluator
    let explainer: Explainer
    let formatter: ValueFormatter
    public private(set) var counts = Counts()
    public private(set) var summary: Summary
    var firstJSON = true

    public init(policy: Policy, asOf: Day, paramOverrides: [Int: Value] = [:], options: Options) {
        self.policy = policy
        self.asOf = asOf
        self.options = options
        self.evaluator = Evaluator(policy: policy, asOf: asOf, paramOverrides: paramOverrides)
        self.explainer = Explainer(policy: policy, asOf: asOf, paramOverrides: paramOverrides)
        self.formatter = ValueFormatter(policy: policy, decimalComma: options.finnishCSV)
        self.summary = Summary(policy: policy, asOf: asOf)
    }

    /// Runs over every client the reader gives. Bad rows go to `reject`
    /// (with their issue); output text to `out`.
    public func run(_ reader: ClientReader, out: (String) -> Void, reject: (DataIssue, [String]) -> Void) {
        guard let record = policy.record else { return }
        var batch = ClientBatch(width: record.fields.count, capacity: 1)
        let idSlot = record.fields.firstIndex { $0.name == "id" }
        let mSlot = record.fields.firstIndex { $0.type.base == .municipality }
        if !options.summary { out(header()) }
        while true {
            batch.removeAll()
            let result = reader.next(into: &batch)
            switch result {
            case .end:
                if !options.summary { out(footer()) }
                return
            case .rejected(let issue):
                counts.read += 1
                counts.rejected += 1
                reject(issue, reader.rawFields)
                continue
            case .client:
                counts.read += 1
            }
            let values = batch.values(0, record: record)
            let id = idSlot.map { formatter.text(values[$0]) } ?? String(reader.row)
            if let only = options.only, id != only { continue }
            do {
                let decision = try batch.slots.withUnsafeBufferPointer { p -> Decision in
                    guard let base = p.baseAddress else { return Decision(outcomes: [], statuses: nil) }
                    return try evaluator.decide(row: base, texts: batch.texts, trace: options.explain || options.summary)
                }
                counts.decided += 1
                let municipality = mSlot.flatMap { s -> Int? in if case .municipality(let m) = values[s] { return m }; return nil }
                summary.add(decision, municipality: municipality)
                if !options.summary {
                    out(render(id: id, values: values, decision: decision, municipality: municipality))
                }
            } catch let e as EvalError {
                counts.failed += 1
                reject(DataIssue(path: reader.path, row: reader.row, message: "cannot be decided: \(e)"), reader.rawFields)
            } catch {
                counts.failed += 1
                reject(DataIssue(path: reader.path, row: reader.row, message: "cannot be decided: \(error)"), reader.rawFields)
            }
        }
    }

    // MARK: Rendering

    func header() -> String {
        switch options.format {
        case .table:
            return "\(pad("id", 14)) \(pad("municipality", 18)) outcomes\n"
        case .json:
            return "{\n  \"policy\": \(JSON.quoted(policy.name)),\n  \"fingerprint\": \"\(policy.fingerprint)\",\n  \"as_of\": \"\(asOf)\",\n  \"clients\": ["
        case .jsonl:
            return ""
        case .csv:
            let cols = ["policy", "as_of", "id", "municipality", "kind", "name", "target", "rule"]
            return csvLine(cols)
        }
    }

    func footer() -> String {
        switch options.format {
        case .table:
            return "\n\(counts.decided) decided, \(counts.rejected + counts.failed) rejected of \(counts.read) read; policy \(policy.name) \(policy.shortFingerprint), as of \(asOf)\n"
        case .json:
            return "\n  ],\n  \"counts\": {\"read\": \(counts.read), \"decided\": \(counts.decided), \"rejected\": \(counts.rejected + counts.failed)}\n}\n"
        case .jsonl, .csv:
            return ""
        }
    }

    func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }

    func outcomeText(_ o: DecidedOutcome) -> String {
        let def = policy.outcomes[o.outcome]
        if let d = o.destination { return "\(def.kind.rawValue) \(def.name) → \(def.destinations[d])" }
        return "\(def.kind.rawValue) \(def.name)"
    }

    func csvField(_ s: String) -> String {
        let sep: Character = options.finnishCSV ? ";" : ","
        if s.contains(sep) || s.contains("\"") || s.contains("\n") || s.contains("\r") {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    func csvLine(_ fields: [String]) -> String {
        fields.map(csvField).joined(separator: options.finnishCSV ? ";" : ",") + "\r\n"
    }

    func dateText(_ d: Day) -> String {
        options.finnishCSV ? "\(d.day).\(d.month).\(d.year)" : d.description
    }

    func render(id: String, values: [Value], decision: Decision, municipality: Int?) -> String {
        let mName = municipality.map { policy.municipalities[$0].name } ?? ""
        switch options.format {
        case .table:
            var s = "\(pad(id, 14)) \(pad(mName, 18)) " + (decision.outcomes.isEmpty ? "–" : decision.outcomes.map(outcomeText).joined(separator: ", ")) + "\n"
            if options.explain, let st = decision.statuses {
                for r in explainer.explain(values, statuses: st) where r.status != .outOfScope && r.status != .inactive {
                    let mark: String
                    if case .fired = r.status { mark = "✓" } else { mark = "·" }
                    s += "    \(mark) rule \(r.rule)" + (r.label.map { " \"\($0)\"" } ?? "") + ": \(r.summary)"
                    s += (r.outcomes.isEmpty ? "" : " → " + r.outcomes.joined(separator: ", ")) + (r.location.map { "  (\($0))" } ?? "") + "\n"
                    s += Explainer.text(r, indent: "        ")
                }
            }
            return s
        case .json, .jsonl:
            var pairs: [(String, JSON)] = [("id", .string(id)), ("municipality", .string(mName))]
            if options.format == .jsonl {
                pairs.append(("as_of", .string(asOf.description)))
                pairs.append(("policy", .string(policy.shortFingerprint)))
            }
            pairs.append(("outcomes", .array(decision.outcomes.map(outcomeJSON))))
            if options.explain, let st = decision.statuses {
                pairs.append(("explanation", .array(explainer.explain(values, statuses: st).map(Explainer.json))))
            }
            let obj = JSON.object(pairs)
            if options.format == .jsonl { return obj.compact + "\n" }
            defer { firstJSON = false }
            return (firstJSON ? "\n    " : ",\n    ") + obj.compact
        case .csv:
            if decision.outcomes.isEmpty {
                return csvLine([policy.shortFingerprint, dateText(asOf), id, mName, "", "", "", ""])
            }
            return decision.outcomes.map { o in
                let def = policy.outcomes[o.outcome]
                return csvLine([policy.shortFingerprint, dateText(asOf), id, mName, def.kind.rawValue, def.name,
                                o.destination.map { def.destinations[$0] } ?? "", policy.rules[o.rules[0]].name])
            }.joined()
        }
    }

    func outcomeJSON(_ o: DecidedOutcome) -> JSON {
        let def = policy.outcomes[o.outcome]
        var pairs: [(String, JSON)] = [("kind", .string(def.kind.rawValue)), ("name", .string(def.name))]
        if let d = o.destination { pairs.append(("target", .string(def.destinations[d]))) }
        pairs.append(("rule", .string(policy.rules[o.rules[0]].name)))
        if o.rules.count > 1 { pairs.append(("also", .array(o.rules.dropFirst().map { .string(policy.rules[$0].name) }))) }
        if !o.overruled.isEmpty { pairs.append(("overruled", .array(o.overruled.map { .string(policy.rules[$0].name) }))) }
        if let l = def.label { pairs.append(("label", .string(l))) }
        return .object(pairs)
    }
}
