import Foundation
import Linja

/// How `linja run` writes decisions: the four formats (table, JSON, JSON
/// Lines, CSV), one client at a time into a byte buffer. CSV goes through
/// the one `CSVWriter`, so its quoting is the data writer's.
///
/// A renderer is not thread-safe (its CSV writer is reused); each worker
/// renders with its own copy made by `copy()`.
public final class DecisionRenderer {
    public enum Format: String, Sendable, CaseIterable { case table, json, jsonl, csv }

    public let policy: Policy
    public let asOf: Day
    public let format: Format
    public let explain: Bool
    /// Finnish spreadsheet CSV: semicolons, decimal commas, d.m.yyyy dates.
    public let finnishCSV: Bool
    let explainer: Explainer
    let formatter: ValueFormatter
    let csv: CSVWriter
    // Pre-rendered pieces of JSON output.
    let municipalityJSON: [[UInt8]]
    /// What follows a client's id, up to the first outcome, per municipality
    /// (the last for a client without one): `,"municipality":…,"outcomes":[`.
    let afterID: [[UInt8]]
    /// Each outcome a rule can give, as JSON: the rule's entries are
    /// `ruleFragments[rule] ..< ruleFragments[rule + 1]` in `fragmentOutcome`,
    /// `fragmentDestination` and `fragmentEnd` (their bytes in `fragmentBytes`).
    let ruleFragments: [Int32]
    let fragmentOutcome: [Int32]
    let fragmentDestination: [Int32]
    let fragmentEnd: [Int32]
    let fragmentBytes: [UInt8]
    let longestFragment: Int

    public init(policy: Policy, asOf: Day, format: Format, explain: Bool, finnishCSV: Bool, explainer: Explainer) {
        self.policy = policy
        self.asOf = asOf
        self.format = format
        self.explain = explain
        self.finnishCSV = finnishCSV
        self.explainer = explainer
        self.formatter = ValueFormatter(policy: policy, decimalComma: finnishCSV)
        self.csv = CSVWriter(dialect: finnishCSV ? .semicolon : .comma, continuing: true)
        // Ids and names from client data must not run as spreadsheet formulas.
        csv.neutralizingFormulas = true
        self.municipalityJSON = policy.municipalities.map { Array(JSON.quoted($0.name).utf8) }
        var starts: [Int32] = [0], outcomes: [Int32] = [], destinations: [Int32] = [], ends: [Int32] = [], bytes: [UInt8] = []
        for r in policy.rules {
            for o in r.outcomes + r.variants.flatMap(\.outcomes)
            where !zip(outcomes[Int(starts[starts.count - 1])...], destinations[Int(starts[starts.count - 1])...])
                .contains(where: { $0 == Int32(o.outcome) && $1 == Int32(o.destination ?? -1) }) {
                let d = DecidedOutcome(outcome: o.outcome, destination: o.destination, rules: [r.id], overruled: [])
                bytes += Array(DecisionRenderer.outcomeJSON(policy, d).compact.utf8)
                outcomes.append(Int32(o.outcome))
                destinations.append(Int32(o.destination ?? -1))
                ends.append(Int32(bytes.count))
            }
            starts.append(Int32(outcomes.count))
        }
        (ruleFragments, fragmentOutcome, fragmentDestination, fragmentEnd, fragmentBytes) = (starts, outcomes, destinations, ends, bytes)
        longestFragment = zip([0] + ends.dropLast(), ends).map { Int($1 - $0) }.max() ?? 0
        let provenance = Array(",\"as_of\":\"\(asOf)\",\"policy\":\"\(policy.shortFingerprint)\"".utf8)
        afterID = (municipalityJSON + [Array("\"\"".utf8)]).map {
            Array(",\"municipality\":".utf8) + $0 + (format == .jsonl ? provenance : []) + Array(",\"outcomes\":[".utf8)
        }
    }

    /// A renderer of its own for another thread.
    public func copy() -> DecisionRenderer {
        DecisionRenderer(policy: policy, asOf: asOf, format: format, explain: explain, finnishCSV: finnishCSV, explainer: explainer)
    }

    /// Whether a client's output can be written from the evaluator's gives
    /// alone (JSON and JSON Lines without explanations).
    public var rendersFromGives: Bool { !explain && (format == .json || format == .jsonl) }

    // MARK: Around the clients

    public func header() -> String {
        switch format {
        case .table:
            return "\(pad("id", 14)) \(pad("municipality", 18)) outcomes\n"
        case .json:
            return "{\n  \"policy\": \(JSON.quoted(policy.name)),\n  \"fingerprint\": \"\(policy.fingerprint)\",\n"
                + (policy.paramOverrides.isEmpty ? "" : "  \"param_overrides\": \(policy.overridesJSON.compact),\n")
                + "  \"as_of\": \"\(asOf)\",\n  \"clients\": ["
        case .jsonl:
            return ""
        case .csv:
            let header = CSVWriter(dialect: finnishCSV ? .semicolon : .comma)
            try? header.writeRecord(["policy", "as_of", "id", "municipality", "kind", "name", "target", "rule"])
            return String(decoding: header.bytes, as: UTF8.self)
        }
    }

    /// What separates client `index` (0 for the first written) from the one before.
    public func separator(beforeClient index: Int) -> [UInt8] {
        guard format == .json else { return [] }
        return Array((index == 0 ? "\n    " : ",\n    ").utf8)
    }

    public func footer(read: Int, decided: Int, rejected: Int) -> String {
        switch format {
        case .table:
            return "\n\(decided) decided, \(rejected) rejected of \(read) read; policy \(policy.name) \(policy.shortFingerprint)"
                + (policy.paramOverrides.isEmpty ? "" : " with \(policy.overridesText)") + ", as of \(asOf)\n"
        case .json:
            return "\n  ],\n  \"counts\": {\"read\": \(read), \"decided\": \(decided), \"rejected\": \(rejected)}\n}\n"
        case .jsonl, .csv:
            return ""
        }
    }

    // MARK: One client

    /// JSON and JSON Lines straight from the evaluator's gives, without
    /// building values (`rendersFromGives`, and gives that need no priority
    /// resolution). `idSlot` is the id's slot when it is text.
    public func appendFromGives(row: UnsafePointer<Int64>, rows: ClientRows, idSlot: Int?, municipality m: Int,
                                evaluator: Evaluator, into out: inout [UInt8]) {
        let n = evaluator.lastGiveCount
        let gives = evaluator.lastGiveBuffer
        let tail = afterID[m >= 0 && m < municipalityJSON.count ? m : municipalityJSON.count]
        if let s = idSlot {
            rows.withText(Int(row[s])) { appendLine(id: $0, tail: tail, gives: gives, n, into: &out) }
        } else {
            appendLine(id: UnsafeRawBufferPointer(start: nil, count: 0), tail: tail, gives: gives, n, into: &out)
        }
    }

    /// One client's line: the id, what follows it, the outcomes.
    @inline(__always)
    func appendLine(id: UnsafeRawBufferPointer, tail: [UInt8], gives: UnsafePointer<Give>, _ n: Int, into out: inout [UInt8]) {
        // An id that needs escaping takes the general way (rare).
        if id.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out.append(contentsOf: DecisionRenderer.idOpen)
            JSON.appendQuoted(id, into: &out)
            out.append(contentsOf: tail)
            appendOutcomes(gives, n, into: &out)
            out.append(contentsOf: format == .jsonl ? DecisionRenderer.closeLine : DecisionRenderer.close)
            return
        }
        // The line assembled in a buffer of its own, then appended once.
        let bound = 16 + id.count + tail.count + n * (longestFragment + 1)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bound) { buffer in
            guard let base = buffer.baseAddress else { return }
            var line = LineBuffer(base: base)
            DecisionRenderer.idOpen.withUnsafeBytes { line.put($0) }
            line.put(UInt8(ascii: "\""))
            line.put(id)
            line.put(UInt8(ascii: "\""))
            tail.withUnsafeBytes { line.put($0) }
            fragmentBytes.withUnsafeBytes { all in
                forEachInOutcomeOrder(gives, n) { g, first in
                    if !first { line.put(UInt8(ascii: ",")) }
                    if let f = fragment(g) { line.put(UnsafeRawBufferPointer(rebasing: all[f])) }
                }
            }
            line.put(UInt8(ascii: "]"))
            line.put(UInt8(ascii: "}"))
            if format == .jsonl { line.put(UInt8(ascii: "\n")) }
            out.append(contentsOf: UnsafeBufferPointer(start: base, count: line.count))
        }
    }

    /// Bytes written into memory known to be large enough (a struct, so
    /// that writing pays no exclusivity check).
    struct LineBuffer {
        let base: UnsafeMutablePointer<UInt8>
        var count = 0

        @inline(__always)
        mutating func put(_ bytes: UnsafeRawBufferPointer) {
            guard let b = bytes.baseAddress, bytes.count > 0 else { return }
            (base + count).update(from: b.assumingMemoryBound(to: UInt8.self), count: bytes.count)
            count += bytes.count
        }

        @inline(__always)
        mutating func put(_ byte: UInt8) {
            base[count] = byte
            count += 1
        }
    }

    /// The gives in outcome order, as `Decision.resolve` gives them (the
    /// gives are few and distinct here).
    @inline(__always)
    func forEachInOutcomeOrder(_ gives: UnsafePointer<Give>, _ n: Int, _ body: (Give, Bool) -> Void) {
        var written = 0
        var previous: Int32 = -1
        while written < n {
            var best = -1
            for k in 0..<n {
                let o = gives[k].outcome
                if o > previous, best < 0 || o < gives[best].outcome { best = k }
            }
            guard best >= 0 else { return }
            body(gives[best], written == 0)
            previous = gives[best].outcome
            written += 1
        }
    }

    func appendOutcomes(_ gives: UnsafePointer<Give>, _ n: Int, into out: inout [UInt8]) {
        forEachInOutcomeOrder(gives, n) { g, first in
            if !first { out.append(UInt8(ascii: ",")) }
            if let f = fragment(g) { out.append(contentsOf: fragmentBytes[f]) }
        }
    }

    static let idOpen = Array("{\"id\":".utf8)
    static let closeLine = Array("]}\n".utf8)
    static let close = Array("]}".utf8)

    /// Where a give's outcome lies in `fragmentBytes` (found among its rule's few).
    @inline(__always)
    func fragment(_ g: Give) -> Range<Int>? {
        let r = Int(g.rule)
        guard r >= 0, r + 1 < ruleFragments.count else { return nil }
        for k in Int(ruleFragments[r])..<Int(ruleFragments[r + 1])
        where fragmentOutcome[k] == g.outcome && fragmentDestination[k] == g.destination {
            return (k == 0 ? 0 : Int(fragmentEnd[k - 1]))..<Int(fragmentEnd[k])
        }
        return nil
    }

    /// One client's decision (with its explanation when `explain`; the
    /// decision then carries the rules' statuses).
    public func append(id: String, values: [Value], decision: Decision, municipality: Int?, into out: inout [UInt8]) {
        let mName = municipality.map { policy.municipalities[$0].name } ?? ""
        switch format {
        case .table:
            // An id from the data is shown with its control characters escaped:
            // a newline in it would forge a row, an escape sequence reach the terminal.
            var s = "\(pad(TerminalText.visible(id), 14)) \(pad(mName, 18)) " + (decision.outcomes.isEmpty ? "–" : decision.outcomes.map(outcomeText).joined(separator: ", ")) + "\n"
            if explain, let st = decision.statuses {
                for r in explainer.explain(values, statuses: st) where r.status != .outOfScope && r.status != .inactive {
                    let mark: String
                    if case .fired = r.status { mark = "✓" } else { mark = "·" }
                    s += "    \(mark) rule \(r.rule)" + (r.label.map { " \"\($0)\"" } ?? "") + ": \(r.summary)"
                    s += (r.outcomes.isEmpty ? "" : " → " + r.outcomes.joined(separator: ", ")) + (r.location.map { "  (\($0))" } ?? "") + "\n"
                    s += Explainer.text(r, indent: "        ")
                }
            }
            out.append(contentsOf: s.utf8)
        case .json, .jsonl:
            var pairs: [(String, JSON)] = [("id", .string(id)), ("municipality", .string(mName))]
            if format == .jsonl {
                pairs.append(("as_of", .string(asOf.description)))
                pairs.append(("policy", .string(policy.shortFingerprint)))
            }
            pairs.append(("outcomes", .array(decision.outcomes.map { DecisionRenderer.outcomeJSON(policy, $0) })))
            if explain, let st = decision.statuses {
                pairs.append(("explanation", .array(explainer.explain(values, statuses: st).map(Explainer.json))))
            }
            out.append(contentsOf: (JSON.object(pairs).compact + (format == .jsonl ? "\n" : "")).utf8)
        case .csv:
            csv.clearMemory()
            let date = finnishCSV ? "\(asOf.day).\(asOf.month).\(asOf.year)" : asOf.description
            if decision.outcomes.isEmpty {
                try? csv.writeRecord([policy.shortFingerprint, date, id, mName, "", "", "", ""])
            }
            for o in decision.outcomes {
                let def = policy.outcomes[o.outcome]
                try? csv.writeRecord([policy.shortFingerprint, date, id, mName, def.kind.rawValue, def.name,
                                      o.destination.map { def.destinations[$0] } ?? "", policy.rules[o.rules[0]].name])
            }
            out.append(contentsOf: csv.bytes)
        }
    }

    /// A client's id as written: its id field, or its row number.
    public func idText(_ values: [Value], idSlot: Int?, row: Int) -> String {
        idSlot.map { formatter.text(values[$0]) } ?? String(row)
    }

    func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }

    func outcomeText(_ o: DecidedOutcome) -> String {
        let def = policy.outcomes[o.outcome]
        if let d = o.destination { return "\(def.kind.rawValue) \(def.name) → \(def.destinations[d])" }
        return "\(def.kind.rawValue) \(def.name)"
    }

    /// An outcome as `run --format json` writes it.
    public static func outcomeJSON(_ policy: Policy, _ o: DecidedOutcome) -> JSON {
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
