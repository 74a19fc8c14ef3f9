import Foundation
import Linja

/// One expectation that did not hold.
public struct TestFailure: Sendable {
    public var location: SourceLocation?
    public var message: String
    /// The explanation of the decision: rules, variants, values.
    public var explanation: [String]
}

public struct TestCaseResult: Sendable {
    public enum Outcome: String, Sendable { case passed, failed, skipped }
    public var name: String
    public var location: SourceLocation?
    public var outcome: Outcome
    public var failures: [TestFailure]
}

/// What rules, variants, exceptions and targets the tests exercised.
public struct Coverage: Sendable {
    public struct Part: Sendable {
        public var description: String
        public var location: SourceLocation?
        public var whenTrue: Bool
        public var whenFalse: Bool
        public var covered: Bool { whenTrue && whenFalse }
    }
    public var parts: [Part]
    public var percent: Double { parts.isEmpty ? 100 : Double(parts.filter(\.covered).count) * 100 / Double(parts.count) }
}

/// Runs a policy's test blocks: client expectations through the compiled
/// evaluator, goal expectations through the goal engine, expected check
/// errors by re-checking the policy with the test's text.
public final class PolicyTestRunner {
    public let policy: Policy
    public var filter: String?
    var evaluators: [Day: Evaluator] = [:]
    // Coverage: per rule, condition true/false; per exception true/false; per variant chosen/not; per target.
    var ruleSeen: [[Bool]]
    var exceptionSeen: [[[Bool]]]
    var variantSeen: [[[Bool]]]
    var targetSeen: [Bool]

    public init(policy: Policy, filter: String? = nil) {
        self.policy = policy
        self.filter = filter
        ruleSeen = policy.rules.map { _ in [false, false] }
        exceptionSeen = policy.rules.map { $0.exceptions.map { _ in [false, false] } }
        variantSeen = policy.rules.map { $0.variants.map { _ in [false, false] } }
        targetSeen = policy.targets.map { _ in false }
    }

    /// The tests declared by this policy itself (not its imports).
    public var ownTests: [CheckedTest] {
        policy.tests.filter { $0.origin == policy.directory }
    }

    public func run() -> [TestCaseResult] {
        var results: [TestCaseResult] = []
        for t in ownTests {
            if let f = filter, !t.name.localizedCaseInsensitiveContains(f) { continue }
            results += run(t)
        }
        return results
    }

    func evaluator(_ day: Day) -> Evaluator {
        if let e = evaluators[day] { return e }
        let e = Evaluator(policy: policy, asOf: day)
        evaluators[day] = e
        return e
    }

    func run(_ t: CheckedTest) -> [TestCaseResult] {
        var failures: [TestFailure] = []
        if t.check != nil {
            failures += runCheck(t)
        } else {
            var decisions: [Int: Decision] = [:]
            if let day = t.asOf {
                for (i, c) in t.clients.enumerated() {
                    do {
                        let d = try evaluator(day).decide(c.values, trace: true)
                        record(d)
                        decisions[i] = d
                    } catch {
                        failures.append(TestFailure(location: c.span.location, message: "the client cannot be decided: \(error)", explanation: []))
                    }
                }
            }
            var goalResult: GoalEvaluation?
            for e in t.expectations {
                switch e {
                case .outcome(let ci, let o, let dest, let negated, let span):
                    guard let d = decisions[ci], let day = t.asOf else { continue }
                    if let f = checkOutcome(d, t.clients[ci].values, o, dest, negated, span, day) { failures.append(f) }
                case .holds(let ci, let expr, let span):
                    guard let day = t.asOf, ci < t.clients.count else { continue }
                    if let f = checkHolds(expr, t.clients[ci].values, day, span) { failures.append(f) }
                case .targetStatus(let tid, let status, let span):
                    let g = goalResult ?? evaluateGoals(t)
                    goalResult = g
                    if let f = checkTarget(g, tid, status, span) { failures.append(f) }
                case .goalVerdict(let gid, let verdict, let span):
                    let g = goalResult ?? evaluateGoals(t)
                    goalResult = g
                    if let f = checkGoal(g, gid, verdict, span) { failures.append(f) }
                case .checkError:
                    break
                }
            }
        }
        var results = [TestCaseResult(name: t.name, location: t.span.location, outcome: failures.isEmpty ? .passed : .failed, failures: failures)]
        if !t.tables.isEmpty {
            // A test that is only a table reports its rows, not itself.
            if t.expectations.isEmpty, t.check == nil { results = [] }
            for table in t.tables { results += runTable(t, table) }
        }
        return results
    }

    // MARK: Coverage

    func record(_ d: Decision) {
        guard let st = d.statuses else { return }
        for (i, s) in st.enumerated() {
            switch s {
            case .inactive, .outOfScope: break
            case .conditionFalse: ruleSeen[i][1] = true
            case .exception(let k):
                ruleSeen[i][0] = true
                for j in 0..<k { exceptionSeen[i][j][1] = true }
                exceptionSeen[i][k][0] = true
            case .fired(let v):
                ruleSeen[i][0] = true
                for j in exceptionSeen[i].indices { exceptionSeen[i][j][1] = true }
                for j in variantSeen[i].indices { variantSeen[i][j][j == v ? 0 : 1] = true }
            }
        }
    }

    public func coverage() -> Coverage {
        var parts: [Coverage.Part] = []
        for (i, r) in policy.rules.enumerated() where r.origin == policy.directory || true {
            parts.append(Coverage.Part(description: "rule \(r.name)", location: r.span.location, whenTrue: ruleSeen[i][0], whenFalse: ruleSeen[i][1]))
            for (j, e) in r.exceptions.enumerated() {
                parts.append(Coverage.Part(description: "rule \(r.name), exception \(e.label.map { "\"\($0)\"" } ?? e.condition.span.text)",
                                           location: e.span.location, whenTrue: exceptionSeen[i][j][0], whenFalse: exceptionSeen[i][j][1]))
            }
            for (j, v) in r.variants.enumerated() {
                parts.append(Coverage.Part(description: "rule \(r.name), variant in \(v.scopeText)", location: v.span.location,
                                           whenTrue: variantSeen[i][j][0], whenFalse: variantSeen[i][j][1]))
            }
        }
        for (i, t) in policy.targets.enumerated() {
            parts.append(Coverage.Part(description: "target \(t.name)", location: t.span.location, whenTrue: targetSeen[i], whenFalse: targetSeen[i]))
        }
        return Coverage(parts: parts)
    }

    // MARK: Expectations

    func outcomeName(_ o: Int, _ dest: Int?) -> String {
        let def = policy.outcomes[o]
        return "\(def.kind.rawValue) \(def.name)" + (dest.map { " to \(def.destinations[$0])" } ?? "")
    }

    func explanationLines(_ values: [Value], _ d: Decision, _ day: Day, rules: [Int]) -> [String] {
        guard let st = d.statuses else { return [] }
        let ex = Explainer(policy: policy, asOf: day).explain(values, statuses: st)
        var lines: [String] = []
        for i in rules where i < ex.count {
            let r = ex[i]
            lines.append("rule \(r.rule)" + (r.label.map { " \"\($0)\"" } ?? "") + ": \(r.summary)" + (r.location.map { "  (\($0))" } ?? ""))
            for l in Explainer.text(r, indent: "  ").split(separator: "\n") { lines.append(String(l)) }
        }
        return lines
    }

    /// Rules that can give an outcome.
    func givers(_ o: Int) -> [Int] {
        policy.rules.filter { r in r.outcomes.contains { $0.outcome == o } || r.variants.contains { $0.outcomes.contains { $0.outcome == o } } }.map(\.id)
    }

    func checkOutcome(_ d: Decision, _ values: [Value], _ o: Int, _ dest: Int?, _ negated: Bool, _ span: Span, _ day: Day) -> TestFailure? {
        let got = d.outcomes.first { $0.outcome == o }
        let matches = got != nil && (dest == nil || got?.destination == dest)
        if matches != negated { return nil }
        let name = outcomeName(o, dest)
        if negated, let g = got {
            let rule = policy.rules[g.rules[0]]
            return TestFailure(location: span.location,
                               message: "expected no `\(name)`, but rule `\(rule.name)` gave `\(outcomeName(o, g.destination))`",
                               explanation: explanationLines(values, d, day, rules: g.rules))
        }
        if let g = got {
            return TestFailure(location: span.location,
                               message: "expected `\(name)`, but it was `\(outcomeName(o, g.destination))` (rule `\(policy.rules[g.rules[0]].name)`)",
                               explanation: explanationLines(values, d, day, rules: g.rules))
        }
        return TestFailure(location: span.location, message: "expected `\(name)`, but no rule gave it",
                           explanation: explanationLines(values, d, day, rules: givers(o)))
    }

    func checkHolds(_ expr: TExpr, _ values: [Value], _ day: Day, _ span: Span) -> TestFailure? {
        let ctx = EvalContext(policy: policy, asOf: day)
        var ev = ReferenceEvaluator(context: ctx, client: values)
        let f = ValueFormatter(policy: policy)
        do {
            let v = try ev.eval(expr)
            if v == .bool(true) { return nil }
            if v.isMissing {
                return TestFailure(location: span.location, message: "expected `\(expr.span.text)`, but it is missing", explanation: [])
            }
        } catch {
            return TestFailure(location: span.location, message: "`\(expr.span.text)` cannot be evaluated: \(error)", explanation: [])
        }
        var detail = ""
        if case .compare(_, let a, let b) = expr.kind {
            let va = (try? ev.eval(a)) ?? .missing, vb = (try? ev.eval(b)) ?? .missing
            detail = ": `\(a.span.text)` is \(f.text(va))" + (isLiteral(b) ? "" : ", `\(b.span.text)` is \(f.text(vb))")
        } else {
            let node = Explainer(policy: policy, context: ctx).node(expr, &ev, depth: 0)
            let facts = node.facts.map { "`\($0.expression)` is \($0.value)" }
            if !facts.isEmpty { detail = ": " + facts.joined(separator: ", ") }
        }
        return TestFailure(location: span.location, message: "expected `\(expr.span.text)`, but it does not hold\(detail)", explanation: [])
    }

    func isLiteral(_ e: TExpr) -> Bool { if case .constant = e.kind { return true }; return false }

    func evaluateGoals(_ t: CheckedTest) -> GoalEvaluation? {
        guard let period = t.period else { return nil }
        var engine = GoalEngine(policy: policy, period: period)
        engine.asOf = t.asOf
        engine.indicators = t.actuals.map {
            IndicatorValue(target: $0.target, period: period, municipality: nil, value: $0.value, assessment: $0.assessment,
                           note: $0.note, row: 0)
        }
        var aggregates: GoalEngine.ClientAggregates?
        if let day = t.asOf, !t.clients.isEmpty, let rec = policy.record {
            var i = 0
            aggregates = engine.aggregate({ batch in
                guard i < t.clients.count else { return nil }
                batch.append(t.clients[i].values, record: rec)
                i += 1
                return true
            }, asOf: day)
        }
        let g = engine.evaluate(aggregates: aggregates)
        for goal in g.goals { for r in goal.targets where r.status != .no_data { targetSeen[r.target] = true } }
        return g
    }

    func checkTarget(_ g: GoalEvaluation?, _ tid: Int, _ status: TargetStatus, _ span: Span) -> TestFailure? {
        guard let g, let r = g.goals.flatMap(\.targets).first(where: { $0.target == tid }) else {
            return TestFailure(location: span.location, message: "target `\(policy.targets[tid].name)` was not evaluated", explanation: [])
        }
        // An assessed target is also what its assessment counts as.
        if r.status == status || r.effectiveStatus == status { return nil }
        let f = ValueFormatter(policy: policy)
        let t = policy.targets[tid]
        var detail = "actual \(r.actual.map { f.text($0) } ?? "missing")"
        if let op = t.comparison, let v = r.effectiveTarget { detail += ", target \(op.rawValue) \(f.text(v))" }
        if r.prorated != nil { detail += " (pro-rated)" }
        return TestFailure(location: span.location, message: "expected target `\(t.name)` to be \(status.rawValue), but it is \(r.status.rawValue): \(detail)",
                           explanation: [])
    }

    func checkGoal(_ g: GoalEvaluation?, _ gid: Int, _ verdict: String?, _ span: Span) -> TestFailure? {
        guard let g, let r = g.goals.first(where: { $0.goal == gid }) else {
            return TestFailure(location: span.location, message: "goal `\(policy.goals[gid].name)` was not evaluated", explanation: [])
        }
        if r.verdict == verdict { return nil }
        let statuses = r.targets.map { "\(policy.targets[$0.target].name): \($0.status.rawValue)" + ($0.countsAs.map { " (counts as \($0.rawValue))" } ?? "") }
        return TestFailure(location: span.location,
                           message: "expected goal `\(policy.goals[gid].name)` to be \(verdict.map { "\"\($0)\"" } ?? "none"), but it is \(r.verdict.map { "\"\($0)\"" } ?? "none")",
                           explanation: statuses)
    }

    func runCheck(_ t: CheckedTest) -> [TestFailure] {
        guard let text = t.check else { return [] }
        let file = SourceFile(path: "<test \"\(t.name)\">", text: text)
        let probe = Policy.load(directory: policy.directory, root: policy.root, extraFiles: [file])
        let errors = probe.diagnostics.filter { $0.severity == .error }
        var failures: [TestFailure] = []
        for e in t.expectations {
            guard case .checkError(let want, let span) = e else { continue }
            if !errors.contains(where: { $0.message.contains(want) || $0.code.rawValue == want || $0.code.name == want }) {
                let found = errors.prefix(5).map { "\($0.code.rawValue): \($0.message)" }
                failures.append(TestFailure(location: span.location,
                                            message: "expected a check error matching \"\(want)\", " + (errors.isEmpty ? "but the text checks clean" : "but the check found:"),
                                            explanation: found))
            }
        }
        return failures
    }

    func runTable(_ t: CheckedTest, _ table: CheckedTable) -> [TestCaseResult] {
        guard let rec = policy.record else { return [] }
        var out: [TestCaseResult] = []
        let base = t.clients.first?.values ?? rec.fields.map { $0.defaultValue ?? .missing }
        let f = ValueFormatter(policy: policy)
        for (ri, row) in table.rows.enumerated() {
            var values = base
            var day = t.asOf
            for (c, col) in table.columns.enumerated() {
                switch col {
                case .field(let slot): values[slot] = row[c]
                case .asOf: if case .date(let d) = row[c] { day = d }
                default: break
                }
            }
            let span = ri < table.rowSpans.count ? table.rowSpans[ri] : table.span
            let name = "\(t.name) [row \(ri + 1): \(rowText(table, row, f))]"
            var failures: [TestFailure] = []
            guard let asOf = day else {
                out.append(TestCaseResult(name: name, location: span.location, outcome: .skipped, failures: []))
                continue
            }
            let decision: Decision
            do {
                decision = try evaluator(asOf).decide(values, trace: true)
                record(decision)
            } catch {
                failures.append(TestFailure(location: span.location, message: "the row cannot be decided: \(error)", explanation: []))
                out.append(TestCaseResult(name: name, location: span.location, outcome: .failed, failures: failures))
                continue
            }
            for (c, col) in table.columns.enumerated() {
                switch col {
                case .outcome(let o, let dest):
                    guard case .bool(let want) = row[c] else { continue }
                    if let fail = checkOutcome(decision, values, o, dest, !want, span, asOf) {
                        failures.append(TestFailure(location: span.location, message: "column `\(table.headers[c])`: " + fail.message,
                                                    explanation: fail.explanation))
                    }
                case .letValue(let l):
                    let ctx = EvalContext(policy: policy, asOf: asOf)
                    var ev = ReferenceEvaluator(context: ctx, client: values)
                    let got = (try? ev.eval(TExpr(.letRef(l), policy.lets[l].type, span))) ?? .missing
                    if !same(got, row[c]) {
                        failures.append(TestFailure(location: span.location,
                                                    message: "column `\(table.headers[c])`: expected \(f.text(row[c])), got \(f.text(got))", explanation: []))
                    }
                case .target, .goal, .field, .asOf:
                    break
                }
            }
            out.append(TestCaseResult(name: name, location: span.location, outcome: failures.isEmpty ? .passed : .failed, failures: failures))
        }
        return out
    }

    func same(_ a: Value, _ b: Value) -> Bool {
        if a == b { return true }
        return (try? Operators.compare(.eq, a, b, span: .none)) ?? false
    }

    func rowText(_ table: CheckedTable, _ row: [Value], _ f: ValueFormatter) -> String {
        zip(table.headers, row).enumerated().filter { table.columns[$0.offset].isInput }.map { "\($0.element.0) \(f.text($0.element.1))" }
            .joined(separator: ", ")
    }
}
