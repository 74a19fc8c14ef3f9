import LinjaBase
import LinjaSyntax
import LinjaModel

/// A small, fast, deterministic random number generator (SplitMix64), so the
/// same seed gives the same clients on every machine.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    var core: SplitMix64
    public init(seed: UInt64) { core = SplitMix64(seed: seed &+ 0x9E37_79B9_7F4A_7C15) }
    public mutating func next() -> UInt64 { core.next() }
    package mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
    package mutating func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &self) }
    /// Roughly exponential with the given mean (for durations).
    package mutating func exponential(mean: Double) -> Int {
        let u = max(1e-12, Double(next() >> 11) / Double(1 << 53))
        return Int(-mean * log(u))
    }

    func log(_ x: Double) -> Double {
        // Natural logarithm without Foundation: ln(x) = 2 atanh((x-1)/(x+1)).
        guard x > 0 else { return -1e9 }
        var m = x, e = 0.0
        while m > 2 { m /= 2.718281828459045; e += 1 }
        while m < 0.5 { m *= 2.718281828459045; e -= 1 }
        let y = (m - 1) / (m + 1)
        var term = y, sum = 0.0, k = 1.0
        for _ in 0..<40 { sum += term / k; term *= y * y; k += 2 }
        return 2 * sum + e
    }
}

/// Synthetic, deterministic job-seeker clients whose shape follows the seeds:
/// municipalities weighted by population, realistic ages, statuses and
/// durations, ~7 % immigrants (Pohjois-Karjala: ~1,200 of ~17,000). No real
/// personal data: every value is drawn from the seed.
public struct ClientGenerator {
    public let policy: Policy
    public let asOf: Day
    public var adversarial = false
    /// Clients per caseworker, for a record with a `caseworker` field (seed
    /// 003's baseline: 139 clients per employment expert, 12/2025).
    public var clientsPerCaseworker = 139 {
        didSet { caseworkers = nil }
    }
    /// How many clients will be drawn (`writeCSV` sets it): with
    /// `clientsPerCaseworker`, how many caseworkers each municipality has.
    public var plannedCount = 1_000 {
        didSet { caseworkers = nil }
    }
    var rng: SeededRandom
    let seed: UInt64
    /// Each municipality's caseworkers (names), made when first needed.
    var caseworkers: [Int: [String]]?
    let weights: [(Int, Int)]
    let totalWeight: Int
    let prefix: String
    let formatter: ValueFormatter

    /// Approximate populations (Statistics Finland, 2024, rounded): used only
    /// to weight synthetic clients by municipality.
    public static let populations: [String: Int] = [
        "Joutsa": 4_400, "Jämsä": 19_900, "Keuruu": 9_500, "Luhanka": 700, "Multia": 1_600,
        "Mänttä-Vilppula": 9_600, "Petäjävesi": 3_700, "Toivakka": 2_400,
        "Joensuu": 78_000, "Heinävesi": 3_300, "Ilomantsi": 4_800, "Kontiolahti": 15_000, "Liperi": 12_000,
        "Outokumpu": 6_500, "Polvijärvi": 4_200, "Juuka": 4_500, "Lieksa": 10_500, "Nurmes": 7_500,
        "Kitee": 10_000, "Rääkkylä": 2_100, "Tohmajärvi": 4_300,
    ]

    public init(policy: Policy, asOf: Day, seed: UInt64) {
        self.policy = policy
        self.asOf = asOf
        self.rng = SeededRandom(seed: seed)
        self.seed = seed
        weights = policy.municipalities.map { ($0.id, ClientGenerator.populations[$0.name] ?? 1_000) }
        totalWeight = weights.reduce(0) { $0 + $1.1 }
        let letters = policy.name.split(separator: "-").compactMap(\.first).map { String($0).uppercased() }.joined()
        prefix = letters.isEmpty ? "C" : letters
        formatter = ValueFormatter(policy: policy)
    }

    mutating func municipality() -> Int {
        guard totalWeight > 0 else { return 0 }
        var r = rng.int(0...(totalWeight - 1))
        for (id, w) in weights {
            if r < w { return id }
            r -= w
        }
        return weights.last?.0 ?? 0
    }

    func day(_ d: Day, plus n: Int) -> Day { d.adding(days: n) ?? d }

    /// Fictional names for caseworkers (common Finnish first names and surnames, combined).
    static let firstNames = ["Aino", "Eero", "Helmi", "Ilkka", "Johanna", "Kalle", "Laura", "Mikko", "Noora", "Olli", "Päivi",
                             "Riikka", "Sami", "Tiina", "Ville", "Anneli", "Jussi", "Katja", "Marko", "Satu", "Timo", "Elina", "Heikki"]
    static let surnames = ["Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Hämäläinen", "Laine", "Heikkinen", "Koskinen", "Järvinen",
                           "Lehtonen", "Saarinen", "Salminen", "Heinonen", "Niemi", "Kinnunen", "Turunen", "Salo", "Rantanen",
                           "Karjalainen", "Pitkänen", "Lahtinen", "Ahonen"]

    /// Each municipality's caseworkers: as many as its share of the planned
    /// clients needs at `clientsPerCaseworker` each (at least one), with
    /// names unique in the policy.
    mutating func caseworkerNames() -> [Int: [String]] {
        if let c = caseworkers { return c }
        var out: [Int: [String]] = [:]
        var k = 0
        for (id, w) in weights {
            let share = Double(plannedCount) * Double(w) / Double(max(1, totalWeight))
            let n = max(1, Int((share / Double(max(1, clientsPerCaseworker))).rounded()))
            var names: [String] = []
            for _ in 0..<n {
                let f = Self.firstNames, s = Self.surnames
                // 23 × 22 combinations in an order that varies both names; then numbered.
                let combination = (k * 7) % (f.count * s.count)
                let round = k / (f.count * s.count)
                names.append("\(f[combination % f.count]) \(s[combination / f.count])" + (round > 0 ? " \(round + 1)" : ""))
                k += 1
            }
            out[id] = names
        }
        caseworkers = out
        return out
    }

    /// The caseworker of client `index` in municipality `m`, from a stream of
    /// its own (so adding the field changes no other value a seed gives);
    /// about 2 % have none yet.
    mutating func caseworker(index: Int, municipality m: Int) -> Value {
        var r = SeededRandom(seed: seed ^ (UInt64(truncatingIfNeeded: index) &* 0xD1B5_4A32_D192_ED03))
        if r.chance(0.02) { return .missing }
        guard let names = caseworkerNames()[m], !names.isEmpty else { return .missing }
        return .text(names[r.int(0...(names.count - 1))])
    }

    /// A date near a boundary the rules care about (month ends, 29 February,
    /// the as-of day itself, exactly N months before it).
    mutating func adversarialDate(around base: Day) -> Day {
        switch rng.int(0...6) {
        case 0: return asOf
        case 1: return asOf.adding(months: -rng.int(1...14)) ?? asOf
        case 2: return day(asOf.adding(months: -rng.int(1...14)) ?? asOf, plus: rng.int(-1...1))
        case 3:
            var y = rng.int(1960...2024)
            while !Day.isLeap(y) { y -= 1 }
            return Day(year: y, month: 2, day: 29) ?? base
        case 4:
            let m = asOf.adding(months: -rng.int(0...24)) ?? asOf
            return Day(year: m.year, month: m.month, day: Day.daysIn(month: m.month, year: m.year)) ?? base
        case 5: return day(asOf, plus: -rng.int(0...20))
        default: return base
        }
    }

    /// One client as values in record field order.
    public mutating func next(index: Int) -> [Value] {
        guard let rec = policy.record else { return [] }
        let m = municipality()
        let ageYears = rng.chance(0.2) ? rng.int(17...29) : rng.int(30...66)
        let born = day(asOf.adding(years: -ageYears - 1) ?? asOf, plus: rng.int(1...364))
        let statusRoll = rng.int(0...99)
        let status: String = statusRoll < 60 ? "unemployed" : statusRoll < 72 ? "laid_off" : statusRoll < 77 ? "short_layoff"
            : statusRoll < 92 ? "employed" : "student"
        var started = day(asOf, plus: -min(1_400, rng.exponential(mean: 320)))
        if rng.chance(0.04) { started = day(asOf, plus: -rng.int(0...13)) }
        var unemployedSince: Day? = nil
        if status == "unemployed" || status == "laid_off" || status == "short_layoff" {
            unemployedSince = day(started, plus: rng.int(0...30))
            if let u = unemployedSince, u > asOf { unemployedSince = asOf }
        }
        let immigrant = rng.chance(0.07)
        let integrationEnds: Day? = immigrant ? day(started, plus: rng.int(200...1_100)) : nil
        let partial = rng.chance(0.09), disabled = rng.chance(0.03), ill = rng.chance(0.06)
        let inServices = (status == "unemployed" || status == "laid_off") && rng.chance(0.3)
        var plan: Day? = rng.chance(0.85) ? day(asOf, plus: -rng.int(0...200)) : nil
        if let p = plan, p < started { plan = started }
        var interview: Day? = nil
        if started < day(asOf, plus: -3), rng.chance(0.95) { interview = day(started, plus: rng.chance(0.9) ? rng.int(1...10) : rng.int(11...30)) }
        if let i = interview, i > asOf { interview = nil }
        let f2f: Bool? = interview == nil ? nil : rng.chance(ageYears < 30 ? 0.85 : 0.75)
        let dismissed: Bool? = ageYears >= 50 && status == "unemployed" ? rng.chance(0.25) : (rng.chance(0.5) ? false : nil)
        let years: Int? = rng.chance(0.7) ? rng.int(0...30) : nil
        var byName: [String: Value] = [
            "id": .text("\(prefix)-\(String(repeating: "0", count: max(0, 6 - String(index).count)))\(index)"),
            "municipality": .municipality(m),
            "birth_date": .date(born),
            "job_search_started": .date(started),
            "unemployed_since": unemployedSince.map { .date($0) } ?? .missing,
            "immigrant": .bool(immigrant),
            "integration_period_ends": integrationEnds.map { .date($0) } ?? .missing,
            "partial_work_ability": .bool(partial), "disabled": .bool(disabled), "long_term_ill": .bool(ill),
            "in_services": .bool(inServices),
            "plan_updated_on": plan.map { .date($0) } ?? .missing,
            "initial_interview_on": interview.map { .date($0) } ?? .missing,
            "initial_interview_face_to_face": f2f.map { .bool($0) } ?? .missing,
            "dismissed_on_economic_grounds": dismissed.map { .bool($0) } ?? .missing,
            "years_with_last_employer": years.map { .int(Int64($0)) } ?? .missing,
        ]
        if rec.field("caseworker")?.type.base == .text { byName["caseworker"] = caseworker(index: index, municipality: m) }
        if let f = rec.field("status"), case .enumeration(let id, _) = f.type.base, let i = policy.enums[id].index(of: status) {
            byName["status"] = .enumeration(type: id, index: i)
        }
        var out: [Value] = []
        for f in rec.fields {
            var v = byName[f.name] ?? generic(f)
            if adversarial {
                if case .date(let d) = v, rng.chance(0.3) { v = .date(adversarialDate(around: d)) }
                if f.type.isOptional, rng.chance(0.1) { v = .missing }
            }
            out.append(v)
        }
        return out
    }

    /// A value for a field the generator does not know by name.
    mutating func generic(_ f: Field) -> Value {
        if f.type.isOptional, rng.chance(0.2) { return .missing }
        if let d = f.defaultValue, rng.chance(0.5) { return d }
        switch f.type.base {
        case .bool: return .bool(rng.chance(0.5))
        case .int: return .int(Int64(rng.int(0...100)))
        case .decimal: return .decimal(Fixed(raw: Int64(rng.int(0...100_000_000))))
        case .percent: return .percent(Fixed(raw: Int64(rng.int(0...100)) * Fixed.scale))
        case .money: return .money(Fixed(raw: Int64(rng.int(0...5_000)) * Fixed.scale))
        case .text: return .text("x\(rng.int(0...9999))")
        case .date: return .date(day(asOf, plus: -rng.int(0...3_000)))
        case .enumeration(let id, _): return .enumeration(type: id, index: rng.int(0...max(0, policy.enums[id].values.count - 1)))
        case .municipality: return .municipality(municipality())
        case .set(.enumeration(let id, _)):
            return .set((0..<policy.enums[id].values.count).filter { _ in rng.chance(0.3) }.map { .enumeration(type: id, index: $0) })
        default: return .missing
        }
    }

    /// The CSV text of a value, in the canonical dialect.
    public func csvText(_ v: Value, _ f: Field) -> String {
        switch v {
        case .missing: return ""
        case .bool(let b): return b ? "true" : "false"
        case .set(let items): return items.map { csvText($0, f) }.joined(separator: "|")
        default: return formatter.text(v)
        }
    }

    /// Writes `count` clients as CSV in the canonical columns.
    public mutating func writeCSV(count: Int, finnish: Bool = false, to sink: (String) -> Void) {
        guard let rec = policy.record else { return }
        plannedCount = count
        let sep = finnish ? ";" : ","
        sink(rec.fields.map(\.name).joined(separator: sep) + "\n")
        var chunk = ""
        for i in 1...max(1, count) where count > 0 {
            let values = next(index: i)
            var cells: [String] = []
            for (v, f) in zip(values, rec.fields) {
                var t = csvText(v, f)
                if finnish, case .date(let d) = v { t = "\(d.day).\(d.month).\(d.year)" }
                if t.contains(sep) || t.contains("\"") || t.contains("\n") { t = "\"" + t.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\"" }
                cells.append(t)
            }
            chunk += cells.joined(separator: sep) + "\n"
            if chunk.utf8.count > 1 << 16 { sink(chunk); chunk = "" }
        }
        sink(chunk)
    }
}
