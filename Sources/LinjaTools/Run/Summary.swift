import Linja

/// Counts of each outcome by municipality, and the rules and variants that
/// applied to no client. Counts under the policy's privacy threshold are
/// shown as "< N".
public struct Summary: Sendable {
    public let policy: Policy
    public let asOf: Day
    /// [outcome key][municipality id or -1] = count
    public private(set) var counts: [OutcomeKey: [Int: Int]] = [:]
    public private(set) var ruleFired: [Int]
    public private(set) var variantFired: [[Int]]
    public private(set) var clients = 0
    public private(set) var clientsByMunicipality: [Int: Int] = [:]

    public struct OutcomeKey: Hashable, Sendable, Comparable {
        public var outcome: Int
        public var destination: Int
        public static func < (a: OutcomeKey, b: OutcomeKey) -> Bool { (a.outcome, a.destination) < (b.outcome, b.destination) }
    }

    public init(policy: Policy, asOf: Day) {
        self.policy = policy
        self.asOf = asOf
        ruleFired = Array(repeating: 0, count: policy.rules.count)
        variantFired = policy.rules.map { Array(repeating: 0, count: $0.variants.count) }
        var offsets: [Int] = []
        var k = 0
        for o in policy.outcomes {
            offsets.append(k)
            k += o.destinations.count + 1
        }
        keyOffsets = offsets
        keyCount = max(1, k)
    }

    /// Dense keys for (outcome, destination): flat counting in the hot path.
    let keyOffsets: [Int]
    public let keyCount: Int
    @inline(__always)
    public func key(_ outcome: Int, _ destination: Int) -> Int { keyOffsets[outcome] + destination + 1 }

    /// Adds flat counts: `counts[key * (municipalities + 1) + m + 1]`, m = -1 for none.
    public mutating func addCounts(_ flat: [Int], clientsBy: [Int], clients n: Int) {
        clients += n
        let mCount = policy.municipalities.count + 1
        for (mi, c) in clientsBy.enumerated() where c > 0 { clientsByMunicipality[mi - 1, default: 0] += c }
        guard !flat.isEmpty else { return }
        for (o, def) in policy.outcomes.enumerated() {
            for d in -1..<def.destinations.count {
                let k = key(o, d)
                for mi in 0..<mCount {
                    let c = flat[k * mCount + mi]
                    if c > 0 { counts[OutcomeKey(outcome: o, destination: d), default: [:]][mi - 1, default: 0] += c }
                }
            }
        }
    }

    public mutating func addFirings(_ rules: [Int], _ variants: [[Int]]) {
        for i in ruleFired.indices where i < rules.count { ruleFired[i] += rules[i] }
        for i in variantFired.indices where i < variants.count {
            for j in variantFired[i].indices where j < variants[i].count { variantFired[i][j] += variants[i][j] }
        }
    }

    public mutating func add(_ d: Decision, municipality: Int?) {
        clients += 1
        let m = municipality ?? -1
        clientsByMunicipality[m, default: 0] += 1
        for o in d.outcomes {
            counts[OutcomeKey(outcome: o.outcome, destination: o.destination ?? -1), default: [:]][m, default: 0] += 1
        }
        if let st = d.statuses {
            for (i, s) in st.enumerated() {
                if case .fired(let v) = s {
                    ruleFired[i] += 1
                    if let v { variantFired[i][v] += 1 }
                }
            }
        }
    }

    public mutating func merge(_ o: Summary) {
        clients += o.clients
        for (k, v) in o.clientsByMunicipality { clientsByMunicipality[k, default: 0] += v }
        for (k, byM) in o.counts { for (m, c) in byM { counts[k, default: [:]][m, default: 0] += c } }
        for i in ruleFired.indices { ruleFired[i] += o.ruleFired[i] }
        for i in variantFired.indices { for j in variantFired[i].indices { variantFired[i][j] += o.variantFired[i][j] } }
    }

    public var threshold: Int { policy.report.suppressBelow }

    /// A count as it may be shown: small groups suppressed.
    public func shown(_ n: Int) -> String {
        if n == 0 { return "0" }
        return n < threshold ? "< \(threshold)" : String(n)
    }

    public func label(_ k: OutcomeKey) -> String {
        let o = policy.outcomes[k.outcome]
        return "\(o.kind.rawValue) \(o.name)" + (k.destination >= 0 ? " → \(o.destinations[k.destination])" : "")
    }

    /// Rules (and variants) that gave nothing to any client.
    public var unused: [String] {
        var out: [String] = []
        for (i, r) in policy.rules.enumerated() {
            if ruleFired[i] == 0 {
                out.append("rule \(r.name)" + (r.isActive(on: asOf) ? "" : " (not in force on \(asOf))") + (r.span.location.map { "  \($0)" } ?? ""))
            } else {
                for (j, v) in r.variants.enumerated() where variantFired[i][j] == 0 {
                    out.append("rule \(r.name), variant in \(v.scopeText)" + (v.span.location.map { "  \($0)" } ?? ""))
                }
            }
        }
        return out
    }

    /// Municipalities in the policy's order, with any clients outside them last.
    var municipalityColumns: [Int] {
        policy.municipalities.map(\.id)
    }

    public func table(counts c: RunPipeline.Counts) -> String {
        var s = "Policy \(policy.name)  fingerprint \(policy.shortFingerprint)"
            + (policy.paramOverrides.isEmpty ? "" : "  with \(policy.overridesText)") + "  as of \(asOf)\n"
        s += "Clients: \(c.read) read, \(c.decided) decided, \(c.rejected + c.failed) rejected\n"
        s += "Counts under \(threshold) are shown as \"< \(threshold)\".\n\n"
        let cols = municipalityColumns
        let names = cols.map { policy.municipalities[$0].name }
        let keys = counts.keys.sorted()
        let labelWidth = max(10, (keys.map { label($0).count }.max() ?? 10))
        let widths = names.map { max($0.count, 5) }
        func row(_ first: String, _ cells: [String], _ total: String) -> String {
            var line = first + String(repeating: " ", count: max(1, labelWidth - first.count + 2))
            for (cell, w) in zip(cells, widths) { line += String(repeating: " ", count: max(0, w - cell.count)) + cell + "  " }
            return line + String(repeating: " ", count: max(0, 5 - total.count)) + total + "\n"
        }
        s += row("outcome", names, "total")
        s += row("clients", cols.map { shown(clientsByMunicipality[$0] ?? 0) }, shown(clients))
        for k in keys {
            let byM = counts[k] ?? [:]
            s += row(label(k), cols.map { shown(byM[$0] ?? 0) }, shown(byM.values.reduce(0, +)))
        }
        let u = unused
        if !u.isEmpty {
            s += "\nApplied to no client in this data:\n"
            for line in u { s += "  \(line)\n" }
        }
        return s
    }

    public func json(counts c: RunPipeline.Counts) -> JSON {
        let keys = counts.keys.sorted()
        return .object([
            ("policy", .string(policy.name)),
            ("fingerprint", .string(policy.fingerprint)),
            ("param_overrides", policy.overridesJSON),
            ("as_of", .string(asOf.description)),
            ("suppressed_below", .int(threshold)),
            ("counts", .object([("read", .int(c.read)), ("decided", .int(c.decided)), ("rejected", .int(c.rejected + c.failed))])),
            ("clients_by_municipality", .object(municipalityColumns.map { (policy.municipalities[$0].name, .string(shown(clientsByMunicipality[$0] ?? 0))) })),
            ("outcomes", .array(keys.map { k in
                let o = policy.outcomes[k.outcome]
                let byM = counts[k] ?? [:]
                var pairs: [(String, JSON)] = [("kind", .string(o.kind.rawValue)), ("name", .string(o.name))]
                if k.destination >= 0 { pairs.append(("target", .string(o.destinations[k.destination]))) }
                pairs.append(("total", .string(shown(byM.values.reduce(0, +)))))
                pairs.append(("by_municipality", .object(municipalityColumns.map { (policy.municipalities[$0].name, .string(shown(byM[$0] ?? 0))) })))
                return .object(pairs)
            })),
            ("unused", .array(unused.map { .string($0) })),
        ])
    }
}
