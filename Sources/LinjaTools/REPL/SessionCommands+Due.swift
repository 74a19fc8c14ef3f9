// `:due [SPAN]`, and what `:why-not` says of time: the current client's
// coming changes with time alone, decided with the reference evaluator on
// the days a change plan names.

import Linja

extension ReplSession {
    /// How far `:why-not` looks for the day time alone makes an outcome apply.
    static let whyNotHorizon = Duration(months: 60)

    /// The change plan of the session's policy over `window`, kept while
    /// the policy, its session declarations and the window stay the same
    /// (a plan over five years takes a moment to make).
    func changePlan(_ window: DayWindow) -> ChangePlan {
        let key = "\(window.asOf) \(window.end) \(policy.fingerprint) " + declarations.map { String(decoding: $0.file.bytes, as: UTF8.self) }.joined(separator: "\u{0}")
        if let cached = planCache, cached.key == key { return cached.plan }
        let plan = ChangePlan(policy: policy, window: window)
        planCache = (key, plan)
        return plan
    }

    /// The client's timeline over `window` (nil after saying why not).
    func timeline(_ window: DayWindow) -> (timeline: ClientTimeline, plan: ChangePlan)? {
        let plan = changePlan(window)
        do {
            return (try ReferenceTimeline(plan: plan).timeline(client), plan)
        } catch let e as EvalError {
            fail("the client cannot be decided on a day of the window: \(evalMessage(e))")
        } catch {
            fail("the client cannot be decided on a day of the window: \(error)")
        }
        return nil
    }

    /// `:due [SPAN]`: the outcomes the client gains or loses after `as_of`
    /// with nothing but time (3 months unless a span is given).
    func due(_ rest: String) {
        guard decideCurrent() != nil else { return }
        let text = rest.isEmpty ? "3 months" : rest
        let window: DayWindow
        do { window = try DuePipeline.window(text, asOf: asOf, policy: policy) } catch let e as DuePipeline.OptionError {
            fail(":due SPAN \(e.message), e.g. :due 14 days")
            return
        } catch {
            fail("\(error)")
            return
        }
        guard let (t, plan) = timeline(window) else { return }
        let changes = DueChange.changes(t, reasons: DueReasons(plan: plan, language: .en), client: client)
        let first = window.length > 0 ? window.day(1) : window.asOf
        let period = "\(DueReasons.date(first))–\(DueReasons.date(window.end))"
        guard !changes.isEmpty else {
            say("\(clientTitle()): no changes from \(period) with time alone (as of \(asOf)).")
            return
        }
        var s = "\(clientTitle()), \(period), with time alone (as of \(asOf)):\n"
        let width = changes.map { DueReasons.date(window.day($0.day)).count }.max() ?? 10
        for c in changes {
            let date = DueReasons.date(window.day(c.day))
            let o = c.outcome
            let def = policy.outcomes[o.outcome]
            let target = o.destination.map { " to \(def.destinations[$0])" } ?? ""
            let rule = o.rules.first.map { " (rule \(policy.rules[$0].name))" } ?? ""
            s += "  \(date)\(String(repeating: " ", count: width - date.count))  \(c.kind == .starts ? "starts" : "ends  ")  "
            s += "\(def.kind.rawValue) \(def.name)\(target)\(rule): \(c.reasons.isEmpty ? "the date" : c.reasons.joined(separator: "; "))\n"
        }
        output(s)
    }

    /// The line `:why-not` ends with: the first day within five years on
    /// which time alone gives the outcome, and why; or that it does not.
    func timeAloneText(_ query: OutcomeQuery) -> String? {
        guard let window = DayWindow(asOf: asOf, within: Self.whyNotHorizon) else { return nil }
        let plan = changePlan(window)
        guard let t = try? ReferenceTimeline(plan: plan).timeline(client) else { return nil }
        let reasons = DueReasons(plan: plan, language: .en)
        for step in t.steps {
            guard let o = step.decision.outcomes.first(where: { $0.outcome == query.outcome.id && (query.destination == nil || $0.destination == query.destination) })
            else { continue }
            let why = reasons.reasons(outcome: o.outcome, rules: o.rules, watches: step.watches, day: step.day, client: client)
            // The rule, unless a reason names it already ("rule x comes into force").
            var rule = ""
            if let r = o.rules.first {
                let name = "rule \(policy.rules[r].name)"
                if !why.contains(where: { $0.contains(name) }) { rule = " (\(name))" }
            }
            return "With time alone, \(query.text) would apply from \(DueReasons.date(window.day(step.day))) if nothing else changes"
                + (why.isEmpty ? "" : ": " + why.joined(separator: "; ")) + rule + "."
        }
        return "Time alone does not make \(query.text) apply by \(DueReasons.date(window.end)) (5 years ahead)."
    }
}
