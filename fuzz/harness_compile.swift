// compile: arbitrary bytes as a rule file, checked and, when the policy
// checks clean, compiled and run (issue 17: the compiler was in no harness,
// so its stack overflows and blow-ups on long or shared chains of lets, and
// on many rules, went unseen).
//
// The input is a rule file of a policy in a private copy of a rules tree
// that also holds `common` (rules/common), as in `check`. An input that
// declares no area is put beside the area of rules/etela-keski-suomi (which
// imports `common`), so that a few rules or lets make a policy that runs;
// one that does is its policy's only file. Mutations are half libFuzzer's,
// half the grammar-aware ones of Mutator.swift.
//
// Asserts, for a policy that checks clean and has a record:
// - compiling never crashes or hangs (libFuzzer: -timeout), for two dates;
// - the compiled evaluator agrees with the reference decider on generated
//   clients, ordinary and adversarial (month ends, 29 February, as_of,
//   missing optionals): the same decision and rule statuses, or both fail;
// - explaining a decision never crashes.
import Foundation
import Linja

enum CompileHarness {
    static let rulesTree = Fuzz.scratch + "/rules"
    /// `p`: the input alone; `q`: the input beside an area.
    static let alone = rulesTree + "/p", withArea = rulesTree + "/q"

    static let setUp: Void = {
        Fuzz.copy(Fuzz.repoRoot + "/rules/common", to: rulesTree + "/common")
        for dir in [alone, withArea] {
            try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            Fuzz.write([], to: dir + "/input.linja")
        }
        Fuzz.write(Array(FileManager.default.contents(atPath: Fuzz.repoRoot + "/rules/etela-keski-suomi/area.linja") ?? Data()),
                   to: withArea + "/area.linja")
    }()

    static func declaresArea(_ bytes: [UInt8]) -> Bool {
        let word = Array("area ".utf8)
        guard bytes.count >= word.count else { return false }
        return (0...(bytes.count - word.count)).contains { bytes[$0..<($0 + word.count)].elementsEqual(word) }
    }

    static let dates = [Day(year: 2026, month: 3, day: 31)!, Day(year: 2024, month: 2, day: 29)!]

    static func run(_ bytes: [UInt8]) {
        _ = setUp
        let dir = declaresArea(bytes) ? alone : withArea
        let policy = Policy.load(directory: dir, root: rulesTree, replacing: [dir + "/input.linja": bytes])
        Fuzz.log("compile: \(policy.hasErrors ? "check errors" : "checks clean"), \(policy.rules.count) rules, \(policy.lets.count) lets")
        guard !policy.hasErrors, policy.record != nil, !policy.municipalities.isEmpty else { return }
        for asOf in dates {
            let compiled = Evaluator(policy: policy, asOf: asOf)
            let reference = ReferenceDecider(policy: policy, asOf: asOf)
            let explainer = Explainer(policy: policy, asOf: asOf)
            var normal = ClientGenerator(policy: policy, asOf: asOf, seed: UInt64(bytes.count))
            var adversarial = ClientGenerator(policy: policy, asOf: asOf, seed: UInt64(bytes.count) &+ 1)
            adversarial.adversarial = true
            for i in 1...6 {
                let client = i % 2 == 0 ? adversarial.next(index: i) : normal.next(index: i)
                let a = Result { try compiled.decide(client, trace: true) }
                let b = Result { try reference.decide(client) }
                switch (a, b) {
                case (.success(let x), .success(let y)):
                    if x != y { Fuzz.fail("the compiled and reference evaluators disagree", "as of \(asOf), client \(client)\ncompiled: \(x)\nreference: \(y)") }
                    if let st = x.statuses { _ = explainer.explain(client, statuses: st).map { Explainer.text($0) } }
                case (.failure, .failure):
                    continue
                default:
                    Fuzz.fail("one evaluator fails where the other decides", "as of \(asOf), client \(client)\ncompiled: \(a)\nreference: \(b)")
                }
            }
        }
    }
}

/// Half of the mutations are libFuzzer's own byte-level ones, half the
/// grammar-aware ones of Mutator.swift.
enum MutatorMix { static let byteLevelOneIn = 2 }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    CompileHarness.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
