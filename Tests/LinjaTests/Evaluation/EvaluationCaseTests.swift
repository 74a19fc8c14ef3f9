import Foundation
import Testing
@testable import Linja

/// Evaluation behaviour as files: each `Cases/*.linja` is a small policy (over
/// the test record and area of `TestPolicies.base`) that pins one behaviour,
/// with its expectations written inside, as Crafting Interpreters' tests do:
///
///     # as_of 2026-05-01                        the evaluation date (default 2026-05-01)
///     # client start = 2026-02-01               a field of the client, as Linja text
///     let a = since client.start > 3 months     # expect false
///     let b = 1 / 0                             # expect runtime error: division by zero
///     let c = 3 months > 10 days                # expect error[L502]
///     # expect gives: flag hit                  the client gets the outcome
///     # expect not: refer route                 the client does not get it
///
/// A let's value is compared as people read it (`ValueFormatter`), from the
/// reference evaluator and, where the value fits a slot, from the compiled
/// evaluator too; outcomes come from both deciders, which must agree.
struct EvaluationCaseTests {
    static let casesDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Cases")

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: casesDir.path)) ?? [])
            .filter { $0.hasSuffix(".linja") }.sorted()
    }

    struct Expectations {
        var asOf = "2026-05-01"
        var client: [String: String] = [:]
        /// Let name → expected value text, by the line it is written on.
        var values: [(line: Int, name: String, value: String)] = []
        var runtimeErrors: [(line: Int, name: String, message: String)] = []
        var checkErrors: [(line: Int, code: String)] = []
        var gives: [String] = []
        var notGives: [String] = []
    }

    static func expectations(_ text: String) -> Expectations {
        var e = Expectations()
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            let letName: String? = {
                guard trimmed.hasPrefix("let ") else { return nil }
                return trimmed.dropFirst(4).split(whereSeparator: { $0 == " " || $0 == "=" }).first.map(String.init)
            }()
            if trimmed.hasPrefix("# as_of ") { e.asOf = String(trimmed.dropFirst(8)).trimmingCharacters(in: .whitespaces) }
            if trimmed.hasPrefix("# client "), let eq = trimmed.firstIndex(of: "=") {
                let field = trimmed[trimmed.index(trimmed.startIndex, offsetBy: 9)..<eq].trimmingCharacters(in: .whitespaces)
                e.client[field] = trimmed[trimmed.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            }
            if trimmed.hasPrefix("# expect gives: ") { e.gives.append(String(trimmed.dropFirst(16))) }
            if trimmed.hasPrefix("# expect not: ") { e.notGives.append(String(trimmed.dropFirst(14))) }
            guard let mark = line.range(of: "# expect ") , !trimmed.hasPrefix("#") else { continue }
            let what = String(line[mark.upperBound...]).trimmingCharacters(in: .whitespaces)
            if what.hasPrefix("error[") {
                e.checkErrors.append((i + 1, String(what.dropFirst(6).prefix { $0 != "]" })))
            } else if what.hasPrefix("runtime error: "), let name = letName {
                e.runtimeErrors.append((i + 1, name, String(what.dropFirst(15))))
            } else if let name = letName {
                e.values.append((i + 1, name, what))
            }
        }
        return e
    }

    @Test func thereAreCases() {
        #expect(Self.cases.count >= 12, "\(Self.cases)")
    }

    @Test(arguments: cases)
    func caseHolds(_ file: String) throws {
        let text = try String(contentsOf: Self.casesDir.appendingPathComponent(file), encoding: .utf8)
        let e = Self.expectations(text)
        #expect(!e.values.isEmpty || !e.runtimeErrors.isEmpty || !e.checkErrors.isEmpty || !e.gives.isEmpty || !e.notGives.isEmpty,
                "\(file) expects nothing")
        let policy = TestPolicies.make(["case.linja": text])
        // `import "../base"` is line 1 of the written file: the case's line n is line n + 1.
        let errors = policy.diagnostics.filter { $0.severity == .error }
        let found = Set(errors.compactMap { d in d.span.location.map { "\($0.line - 1):\(d.code.rawValue)" } })
        for c in e.checkErrors {
            #expect(found.contains("\(c.line):\(c.code)"), "\(file):\(c.line): expected error[\(c.code)]; got \(errors.map { "\($0)" })")
        }
        if !e.checkErrors.isEmpty { return }
        #expect(errors.isEmpty, "\(file) does not check: \(errors.map { "\($0)" })")
        guard errors.isEmpty else { return }

        let asOf = TestPolicies.day(e.asOf)
        let client = TestPolicies.client(policy, e.client)
        let formatter = ValueFormatter(policy: policy)
        var reference = ReferenceEvaluator(context: EvalContext(policy: policy, asOf: asOf), client: client)
        let evaluator = Evaluator(policy: policy, asOf: asOf)
        guard let record = policy.record else { Issue.record("no record"); return }
        var batch = ClientBatch(width: record.fields.count)
        batch.append(client, record: record)

        for v in e.values {
            guard let l = policy.letDef(named: v.name) else { Issue.record("\(file):\(v.line): no let `\(v.name)`"); continue }
            let got: String
            do { got = formatter.text(try reference.eval(l.expr)) } catch { got = "runtime error: \(error)" }
            #expect(got == v.value, "\(file):\(v.line): `\(v.name)` is \(got), expected \(v.value)")
            if Slot.encode(try reference.eval(l.expr)) != nil, l.type.base != .text {
                var compiler = Compiler(policy: policy, asOf: asOf)
                let function = compiler.function(l.expr)
                let compiled = Evaluator(policy: policy, program: compiler.program())
                let raw = try batch.slots.withUnsafeBufferPointer { p in
                    try compiled.value(of: function, row: p.baseAddress!, texts: batch.texts)
                }
                let compiledText = formatter.text(Slot.decode(raw, l.type.optionalized, texts: batch.texts))
                #expect(compiledText == v.value, "\(file):\(v.line): compiled `\(v.name)` is \(compiledText), expected \(v.value)")
            }
        }
        for r in e.runtimeErrors {
            guard let l = policy.letDef(named: r.name) else { Issue.record("\(file):\(r.line): no let `\(r.name)`"); continue }
            do {
                let v = try reference.eval(l.expr)
                Issue.record("\(file):\(r.line): `\(r.name)` is \(formatter.text(v)), expected a runtime error")
            } catch let error as EvalError {
                #expect(error.message.contains(r.message), "\(file):\(r.line): \(error.message)")
            }
        }
        if !e.gives.isEmpty || !e.notGives.isEmpty {
            let compiledDecision = try evaluator.decide(client, trace: true)
            let referenceDecision = try ReferenceDecider(policy: policy, asOf: asOf).decide(client)
            #expect(compiledDecision == referenceDecision, "\(file): the compiled and reference deciders disagree")
            #expect(try evaluator.decide(client).outcomes == referenceDecision.outcomes, "\(file): the whole-decision function disagrees")
            let given = Set(referenceDecision.outcomes.map { o -> String in
                let def = policy.outcomes[o.outcome]
                return "\(def.kind.rawValue) \(def.name)" + (o.destination.map { " to \(def.destinations[$0])" } ?? "")
            })
            let givenNames = Set(given.map { $0.components(separatedBy: " to ")[0] })
            for g in e.gives { #expect(given.contains(g), "\(file): expected \(g); given \(given.sorted())") }
            for g in e.notGives { #expect(!givenNames.contains(g) && !given.contains(g), "\(file): expected no \(g); given \(given.sorted())") }
        }
    }
}
