import Foundation
import Testing
@testable import Linja

/// The compiled evaluator against the reference evaluator: identical
/// decisions and rule statuses (the structure of every explanation) for every
/// policy in rules/, on generated clients with adversarial dates.
struct DifferentialTests {
    static let rulesDir: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path + "/rules"
    }()

    static let policies = ["etela-keski-suomi", "pohjois-karjala"]

    /// Compares both evaluators over `count` clients; returns the first disagreement.
    static func compare(_ name: String, count: Int, seed: UInt64, asOf: Day, adversarial: Bool) -> String? {
        let policy = Policy.load(directory: rulesDir + "/" + name, root: rulesDir)
        guard !policy.hasErrors else { return "\(name) has check errors" }
        var gen = ClientGenerator(policy: policy, asOf: asOf, seed: seed)
        gen.adversarial = adversarial
        let compiled = Evaluator(policy: policy, asOf: asOf)
        guard compiled.program.decision != nil else { return "\(name): the program has no whole-decision function" }
        let reference = ReferenceDecider(policy: policy, asOf: asOf)
        for i in 1...count {
            let client = gen.next(index: i)
            let a = try? compiled.decide(client, trace: true)
            let b = try? reference.decide(client)
            if a != b {
                return "\(name), client \(i): compiled \(String(describing: a)) vs reference \(String(describing: b)); client \(client)"
            }
            // The whole decision in one function (no statuses) gives the same outcomes.
            let fast = try? compiled.decide(client)
            if fast?.outcomes != b?.outcomes {
                return "\(name), client \(i): whole decision \(String(describing: fast)) vs reference \(String(describing: b)); client \(client)"
            }
        }
        return nil
    }

    @Test(arguments: policies)
    func compiledAndReferenceEvaluatorsAgreeOnGeneratedClients(_ name: String) {
        #expect(Self.compare(name, count: 1500, seed: 7, asOf: Day(year: 2026, month: 3, day: 31)!, adversarial: false) == nil)
    }

    @Test(arguments: policies)
    func compiledAndReferenceEvaluatorsAgreeOnBoundaryDates(_ name: String) {
        for asOf in [Day(year: 2026, month: 2, day: 28)!, Day(year: 2028, month: 2, day: 29)!, Day(year: 2026, month: 12, day: 31)!] {
            #expect(Self.compare(name, count: 800, seed: 11, asOf: asOf, adversarial: true) == nil)
        }
    }

    @Test func explanationsAreBuiltFromTheSameStatuses() throws {
        let policy = Policy.load(directory: Self.rulesDir + "/etela-keski-suomi", root: Self.rulesDir)
        let asOf = Day(year: 2026, month: 5, day: 1)!
        var gen = ClientGenerator(policy: policy, asOf: asOf, seed: 3)
        let explainer = Explainer(policy: policy, asOf: asOf)
        for i in 1...200 {
            let c = gen.next(index: i)
            let a = try Evaluator(policy: policy, asOf: asOf).decide(c, trace: true)
            let b = try ReferenceDecider(policy: policy, asOf: asOf).decide(c)
            let ea = explainer.explain(c, statuses: try #require(a.statuses))
            let eb = explainer.explain(c, statuses: try #require(b.statuses))
            #expect(ea == eb)
        }
    }
}
