import Foundation
import Linja

/// A small API for Swift test suites (XCTest or Swift Testing) to assert
/// what a policy decides, with failure messages that name the rule file
/// location of the decision:
///
/// ```swift
/// let policy = try PolicyUnderTest(directory: "rules/etela-keski-suomi")
/// let d = try policy.decide(["municipality": "Keuruu", "unemployed_since": "2026-01-15"],
///                           like: "keuruu_client", asOf: "2026-05-01")
/// #expect(d.gives("assess career_guidance"), "\(d.why("assess career_guidance"))")
/// ```
public struct PolicyUnderTest: Sendable {
    public let policy: Policy

    public struct LoadError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Loads and checks a policy directory; a policy with errors throws, its diagnostics as the message.
    public init(directory: String) throws {
        guard let (dirs, root) = PolicyLoader.discover(directory), let dir = dirs.first else {
            throw LoadError(description: "no policy at \(directory)")
        }
        let p = Policy.load(directory: dir, root: root)
        if p.hasErrors {
            throw LoadError(description: DiagnosticRenderer().render(p.diagnostics.filter { $0.severity == .error }))
        }
        policy = p
    }

    /// Decides a client given by the fields that matter (as data files write
    /// them: `"Keuruu"`, `"2026-01-15"`, `"kyllä"`), the rest from a fixture
    /// (`like`) or the record's defaults.
    public func decide(_ fields: [String: String], like fixture: String? = nil, asOf: String) throws -> ClientDecision {
        guard let day = Day.parse(Substring(asOf)) else { throw LoadError(description: "as_of '\(asOf)' is not a date") }
        guard let rec = policy.record else { throw LoadError(description: "the policy has no record") }
        var values = rec.fields.map { $0.defaultValue ?? .missing }
        if let name = fixture {
            guard let f = policy.fixtures.first(where: { $0.name == name }) else {
                throw LoadError(description: "no fixture `\(name)`; the policy has \(policy.fixtures.map(\.name).joined(separator: ", "))")
            }
            var chain: [Fixture] = [f]
            while let b = chain.last?.base, let base = policy.fixtures.first(where: { $0.name == b }), chain.count < 32 { chain.append(base) }
            for fx in chain.reversed() { for (slot, v, _) in fx.fields { values[slot] = v } }
        }
        for (name, text) in fields {
            guard let field = rec.field(name) else {
                throw LoadError(description: "record `\(rec.name)` has no field `\(name)`" +
                                (Suggest.closest(name, among: rec.fields.map(\.name)).map { "; did you mean `\($0)`?" } ?? ""))
            }
            let parser = FieldParser(field: field, policy: policy, decimalComma: false)
            var t = text
            let parsed = t.withUTF8 { parser.parse(UnsafeRawBufferPointer($0)) }
            switch parsed {
            case .slot(let raw): values[field.slot] = Slot.decode(raw, field.type)
            case .text(let s): values[field.slot] = .text(s)
            case .missing: values[field.slot] = .missing
            case .bad(let message): throw LoadError(description: "field `\(name)`: \(message)")
            }
        }
        let decision = try Evaluator(policy: policy, asOf: day).decide(values, trace: true)
        return ClientDecision(policy: policy, asOf: day, values: values, decision: decision)
    }
}

/// What a policy decided for one client, with its explanation.
public struct ClientDecision: Sendable {
    public let policy: Policy
    public let asOf: Day
    public let values: [Value]
    public let decision: Decision

    /// The outcomes as written in rule files: `refer job_search_documents to municipal_coach`.
    public var outcomes: [String] {
        decision.outcomes.map { o in
            let def = policy.outcomes[o.outcome]
            return "\(def.kind.rawValue) \(def.name)" + (o.destination.map { " to \(def.destinations[$0])" } ?? "")
        }
    }

    /// Whether the client gets an outcome: `"assess career_guidance"`, or with
    /// its destination `"refer job_search_documents to municipal_coach"`.
    public func gives(_ outcome: String) -> Bool {
        outcomes.contains { $0 == outcome || $0.hasPrefix(outcome + " to ") }
    }

    /// Why the client gets (or does not get) an outcome: the rules that can give
    /// it, what each decided, the values that decided it, and where the rule is.
    public func why(_ outcome: String) -> String {
        let words = outcome.split(separator: " ")
        let name = words.count >= 2 ? String(words[1]) : outcome
        guard let def = policy.outcome(named: name) else { return "no outcome `\(outcome)` in the policy" }
        let givers = policy.rules.filter { r in
            r.outcomes.contains { $0.outcome == def.id } || r.variants.contains { $0.outcomes.contains { $0.outcome == def.id } }
        }
        guard let statuses = decision.statuses else { return "" }
        let explained = Explainer(policy: policy, asOf: asOf).explain(values, statuses: statuses)
        var s = "the client gets \(outcomes.isEmpty ? "nothing" : outcomes.joined(separator: ", ")) on \(asOf)\n"
        for r in givers {
            let e = explained[r.id]
            s += "rule \(e.rule)" + (e.label.map { " \"\($0)\"" } ?? "") + " (\(e.location.map(\.description) ?? "?")): \(e.summary)\n"
            s += Explainer.text(e, indent: "  ")
        }
        return s
    }
}
