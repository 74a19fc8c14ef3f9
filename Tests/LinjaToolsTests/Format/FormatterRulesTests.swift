import Foundation
import Linja
import Testing
@testable import LinjaTools

/// The bundled rule files are kept formatted, and formatting them (from
/// their own layout or a very different one) keeps their meaning: the same
/// trees, the same comments, the same decisions for the same clients.
struct FormatterRulesTests {
    static let files = FormatSupport.linjaFiles(under: FormatSupport.rulesDirectory)

    @Test func rulesTreeHasRuleFiles() {
        #expect(Self.files.count >= 5)
    }

    @Test func everyRulesFileIsAlreadyFormatted() throws {
        var unformatted: [String] = []
        for path in Self.files {
            let text = try #require(FormatSupport.read(path))
            guard case .success(let formatted) = FormatSupport.format(text, path: path) else {
                Issue.record("\(path) does not format")
                continue
            }
            if formatted != text {
                unformatted.append(path + ": " + FormatSupport.firstDifference(text, formatted))
            }
        }
        #expect(unformatted == [], "run `swift run linja fmt rules/`")
    }

    @Test func formattingRulesFilesKeepsTreesAndCommentsAndIsIdempotent() throws {
        for path in Self.files {
            let text = try #require(FormatSupport.read(path))
            guard case .success(let formatted) = FormatSupport.format(text, path: path) else {
                Issue.record("\(path) does not format")
                continue
            }
            #expect(FormatSupport.problems(original: text, formatted: formatted) == [], "\(path)")
        }
    }

    /// Laid out narrow (40 columns), every file still means the same, and
    /// formatting the narrow text gives back the canonical one.
    @Test func narrowLayoutOfRulesFilesFormatsBackToCanonical() throws {
        for path in Self.files {
            let text = try #require(FormatSupport.read(path))
            let narrow = Formatter.layOut(Parser.parse(SourceFile(path: path, text: text)), width: 40)
            #expect(FormatSupport.declarations(narrow) == FormatSupport.declarations(text), "\(path)")
            #expect(FormatSupport.commentTexts(narrow) == FormatSupport.commentTexts(text), "\(path)")
            guard case .success(let canonical) = FormatSupport.format(text, path: path),
                  case .success(let fromNarrow) = FormatSupport.format(narrow, path: path) else {
                Issue.record("\(path) does not format")
                continue
            }
            #expect(fromNarrow == canonical, "\(path): \(FormatSupport.firstDifference(canonical, fromNarrow))")
        }
    }

    /// Each policy, written out formatted (and narrow) in a copy of the rules
    /// tree, checks the same and decides generated clients the same.
    @Test func formattedPoliciesDecideGeneratedClientsLikeTheOriginals() throws {
        let fm = FileManager.default
        let temp = fm.temporaryDirectory.appendingPathComponent("linja-fmt-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: temp) }
        let canonicalRoot = temp.appendingPathComponent("canonical")
        let narrowRoot = temp.appendingPathComponent("narrow")
        for root in [canonicalRoot, narrowRoot] {
            try fm.copyItem(at: FormatSupport.rulesDirectory, to: root)
        }
        let base = FormatSupport.rulesDirectory.path
        for path in Self.files {
            let text = try #require(FormatSupport.read(path))
            let rel = String(path.dropFirst(base.count))
            guard case .success(let formatted) = FormatSupport.format(text, path: path) else {
                Issue.record("\(path) does not format")
                continue
            }
            let narrow = Formatter.layOut(Parser.parse(SourceFile(path: path, text: text)), width: 40)
            try formatted.write(toFile: canonicalRoot.path + rel, atomically: true, encoding: .utf8)
            try narrow.write(toFile: narrowRoot.path + rel, atomically: true, encoding: .utf8)
        }
        guard let (dirs, _) = PolicyLoader.discover(base) else {
            Issue.record("no policies under rules/")
            return
        }
        #expect(dirs.count >= 2)
        for dir in dirs {
            let rel = String(dir.dropFirst(Paths.normalize(base).count))
            let original = Policy.load(directory: dir, root: Paths.normalize(base))
            #expect(!original.hasErrors, "\(dir) has check errors")
            for root in [canonicalRoot, narrowRoot] {
                let other = Policy.load(directory: root.path + rel, root: root.path)
                #expect(other.diagnostics.map(\.message) == original.diagnostics.map(\.message), "\(rel)")
                try compareDecisions(original, other, label: rel)
            }
        }
    }

    private func compareDecisions(_ a: Policy, _ b: Policy, label: String) throws {
        // Decide the same generated clients with both policies.
        guard let record = a.record else { return }
        #expect(b.record?.fields.map(\.name) == record.fields.map(\.name))
        #expect(a.rules.map(\.name) == b.rules.map(\.name))
        for asOf in ["2026-05-01", "2027-03-15"] {
            let day = try #require(Day.parse(Substring(asOf)))
            let ea = Evaluator(policy: a, asOf: day)
            let eb = Evaluator(policy: b, asOf: day)
            var rng = SeededRandom(seed: 20_260_501)
            var differing = 0
            for _ in 0..<300 {
                let client = ClientValues.make(for: a, asOf: day, using: &rng)
                // A runtime error (an unhandled missing value) must happen in both or neither.
                let da = Result { try ea.decide(client, trace: true) }
                let db = Result { try eb.decide(client, trace: true) }
                switch (da, db) {
                case (.success(let x), .success(let y)): if x != y { differing += 1 }
                case (.failure, .failure): break
                default: differing += 1
                }
            }
            #expect(differing == 0, "\(label) on \(asOf): \(differing) of 300 clients decided differently")
        }
    }
}

/// Clients built from a record's field types with a seeded generator: dates
/// around the evaluation date (so durations straddle the thresholds),
/// random enumeration values and municipalities, missing optional values.
enum ClientValues {
    static func make(for policy: Policy, asOf: Day, using rng: inout SeededRandom) -> [Value] {
        guard let record = policy.record else { return [] }
        return record.fields.map { value(for: $0.type, policy: policy, asOf: asOf, rng: &rng) }
    }

    static func value(for type: LType, policy: Policy, asOf: Day, rng: inout SeededRandom) -> Value {
        switch type {
        case .optional(let inner):
            return Int.random(in: 0..<5, using: &rng) == 0
                ? .missing : value(for: inner, policy: policy, asOf: asOf, rng: &rng)
        case .bool:
            return .bool(Bool.random(using: &rng))
        case .int:
            return .int(Int64.random(in: 0...40, using: &rng))
        case .decimal:
            return .decimal(Fixed(raw: Int64.random(in: 0...10_000_000, using: &rng)))
        case .percent:
            return .percent(Fixed(raw: Int64.random(in: 0...100_000_000, using: &rng)))
        case .money:
            return .money(Fixed(raw: Int64.random(in: 0...10_000_000_000, using: &rng)))
        case .text:
            return .text("T-\(Int.random(in: 1...999, using: &rng))")
        case .date:
            // Mostly within two years before the date, some far back, a few after it.
            let back: Int
            switch Int.random(in: 0..<10, using: &rng) {
            case 0: back = Int.random(in: 3_000...25_000, using: &rng)
            case 1: back = -Int.random(in: 1...60, using: &rng)
            default: back = Int.random(in: 0...730, using: &rng)
            }
            return .date(asOf.adding(days: -back) ?? asOf)
        case .duration:
            return .duration(Duration(days: Int.random(in: 0...400, using: &rng)))
        case .enumeration(let id, _):
            let count = policy.enums.first { $0.id == id }?.values.count ?? 1
            return .enumeration(type: id, index: Int.random(in: 0..<max(1, count), using: &rng))
        case .municipality:
            let ms = policy.municipalities
            guard !ms.isEmpty else { return .missing }
            return .municipality(ms[Int.random(in: 0..<ms.count, using: &rng)].id)
        case .set(let element):
            let n = Int.random(in: 0...3, using: &rng)
            return .set((0..<n).map { _ in value(for: element, policy: policy, asOf: asOf, rng: &rng) })
        case .span, .group, .period, .error:
            return .missing
        }
    }
}
