// The REPL's `:commands`: policy, client, date, decisions, goals, help.

import Foundation
import Linja

/// One `:command`, as `:help` lists it and Tab completes it.
public struct ReplCommandInfo: Sendable {
    /// The name without its colon (`why-not`).
    public var name: String
    /// How it is written (`:why-not OUTCOME`).
    public var usage: String
    /// One line saying what it does.
    public var summary: String
}

extension ReplSession {
    /// Every command, in the order `:help` lists them.
    public static let commands: [ReplCommandInfo] = [
        ReplCommandInfo(name: "load", usage: ":load PATH", summary: "load a policy directory, e.g. :load rules/etela-keski-suomi"),
        ReplCommandInfo(name: "reload", usage: ":reload", summary: "read the policy's files again (keeps the client and the date)"),
        ReplCommandInfo(name: "rules", usage: ":rules", summary: "list the rules and what they give (✓: applies to the client)"),
        ReplCommandInfo(name: "show", usage: ":show NAME", summary: "a declaration's source text and where it is (rule, let, param, …)"),
        ReplCommandInfo(name: "client", usage: ":client", summary: "show the current client, field by field"),
        ReplCommandInfo(name: "client from", usage: ":client from FILE [ID|ROW]",
                        summary: "take a client from a data file (CSV or JSON Lines) by id or row (the header is row 1)"),
        ReplCommandInfo(name: "client new", usage: ":client new", summary: "a new client from the record's defaults"),
        ReplCommandInfo(name: "client like", usage: ":client like FIXTURE", summary: "a client from one of the policy's fixtures"),
        ReplCommandInfo(name: "set", usage: ":set FIELD VALUE",
                        summary: "change a field, e.g. :set unemployed_since 2026-01-15 (missing clears it)"),
        ReplCommandInfo(name: "as-of", usage: ":as-of DATE", summary: "the date rules are evaluated on, e.g. :as-of 2026-05-01"),
        ReplCommandInfo(name: "decide", usage: ":decide", summary: "every outcome the client gets, and the rule that gives it"),
        ReplCommandInfo(name: "why", usage: ":why OUTCOME",
                        summary: "why the client gets it: rule, variant, values, source (e.g. :why career_guidance)"),
        ReplCommandInfo(name: "why-not", usage: ":why-not OUTCOME", summary: "why not, what would have to change, and from when time alone would do"),
        ReplCommandInfo(name: "due", usage: ":due [SPAN]", summary: "outcomes the client gains or loses with time alone, e.g. :due 14 days (default 3 months)"),
        ReplCommandInfo(name: "goals", usage: ":goals [PERIOD] [ACTUALS]",
                        summary: "goals and targets for a period, e.g. :goals 2026-Q1 actuals.csv"),
        ReplCommandInfo(name: "type", usage: ":type EXPR", summary: "an expression's type, without evaluating it"),
        ReplCommandInfo(name: "help", usage: ":help", summary: "this list"),
        ReplCommandInfo(name: "quit", usage: ":quit", summary: "end the session (Ctrl-D too)"),
    ]

    /// Runs a line starting with `:`.
    func command(_ line: String) -> ReplStatus {
        let body = line.dropFirst().trimmingCharacters(in: .whitespaces)
        let name = String(body.prefix { !$0.isWhitespace })
        let rest = body.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
        switch name {
        case "quit", "q", "exit":
            return .quit
        case "help", "h", "?":
            help()
        case "load":
            let args = Self.words(rest)
            guard args.count == 1, let path = args.first else {
                fail(args.isEmpty ? "give a policy directory, e.g. :load rules/etela-keski-suomi" : "give one policy directory")
                return .ready
            }
            load(path)
        case "reload":
            reload()
        case "rules":
            listRules()
        case "show":
            showDeclaration(rest)
        case "client":
            clientCommand(rest)
        case "set":
            set(rest)
        case "as-of", "as_of", "asof":
            setAsOf(rest)
        case "decide":
            decide()
        case "why":
            why(rest)
        case "why-not", "why_not", "whynot":
            whyNot(rest)
        case "due":
            due(rest)
        case "goals":
            goals(rest)
        case "type", "t":
            typeOf(rest)
        default:
            let names = Self.commands.map { $0.name }.filter { !$0.contains(" ") }
            let hint = Suggest.closest(name, among: names).map { "; did you mean :\($0)?" } ?? ""
            fail("unknown command :\(name)\(hint) (:help lists the commands)")
        }
        return .ready
    }

    /// Words separated by spaces; double quotes keep spaces in one word.
    static func words(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        var quoted = false
        var inWord = false
        for ch in text {
            if ch == "\"" {
                quoted.toggle()
                inWord = true
            } else if ch.isWhitespace, !quoted {
                if inWord { out.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(ch)
                inWord = true
            }
        }
        if inWord { out.append(current) }
        return out
    }

    // MARK: - Help

    func help() {
        var s = """
        Type an expression to see its value and type for the current client
        (unemployment, age < 30, client.status), a declaration to add it to
        this session (let long = unemployment > 6 months), or a command:


        """
        let width = (Self.commands.map(\.usage.count).max() ?? 20) + 2
        for c in Self.commands {
            s += "  " + c.usage + String(repeating: " ", count: max(1, width - c.usage.count)) + c.summary + "\n"
        }
        let example = defaultClientsFile().map(shown) ?? "clients.csv"
        s += """

        To see why a client gets an outcome: load a policy, take a client from
        a data file (by id, or by row: 2 is the first client), change a field
        and ask, e.g.
          :load rules/etela-keski-suomi
          :client from \(example) 2
          :set unemployed_since 2026-01-15
          :why career_guidance

        A line that leaves a bracket or \"\"\" open, or ends with an operator,
        `and`, `or` or `:`, continues on the next (...>); so does a rule until
        its `then`. An empty line ends the input, Ctrl-C drops it. Tab
        completes names and commands.

        """
        if hasPolicy {
            s += "\nNow: \(policy.name), as of \(asOf), \(clientTitle()).\n"
            if let file = defaultClientsFile() {
                s += "Clients: \(shown(file)) (:client from ID takes one).\n"
            }
        } else {
            s += "\nNo policy is loaded yet: start with :load PATH.\n"
        }
        output(s)
    }

    // MARK: - Rules and declarations

    /// The outcomes a rule can give, its variants' included, each once
    /// ("refer job_search_documents to area_coach or municipal_coach").
    func outcomeTexts(_ rule: Rule) -> [String] {
        var order: [Int] = []
        var destinations: [Int: [String]] = [:]
        for g in rule.outcomes + rule.variants.flatMap(\.outcomes) where g.outcome < policy.outcomes.count {
            if destinations[g.outcome] == nil {
                order.append(g.outcome)
                destinations[g.outcome] = []
            }
            let o = policy.outcomes[g.outcome]
            if let d = g.destination, d < o.destinations.count, destinations[g.outcome]?.contains(o.destinations[d]) == false {
                destinations[g.outcome]?.append(o.destinations[d])
            }
        }
        return order.map { id in
            let o = policy.outcomes[id]
            let to = destinations[id] ?? []
            return "\(o.kind.rawValue) \(o.name)" + (to.isEmpty ? "" : " to " + to.joined(separator: " or "))
        }
    }

    func givenText(_ g: GivenOutcome) -> String {
        guard g.outcome < policy.outcomes.count else { return "?" }
        let o = policy.outcomes[g.outcome]
        if let d = g.destination, d < o.destinations.count { return "\(o.kind.rawValue) \(o.name) to \(o.destinations[d])" }
        return "\(o.kind.rawValue) \(o.name)"
    }

    func listRules() {
        guard hasPolicy || !policy.rules.isEmpty else {
            fail("no policy loaded: load one with :load PATH")
            return
        }
        guard !policy.rules.isEmpty else {
            say("\(policy.name) has no rules")
            return
        }
        let statuses = decideQuietly()?.statuses
        var s = "\(policy.rules.count) rule\(policy.rules.count == 1 ? "" : "s")"
        s += statuses == nil ? " (take a client to see which apply)" : "; ✓ applies to \(clientTitle()) as of \(asOf)"
        s += ":\n"
        let width = policy.rules.map(\.name.count).max() ?? 0
        for rule in policy.rules {
            var mark = " "
            if let st = statuses, rule.id < st.count {
                if case .fired = st[rule.id] { mark = "✓" } else { mark = "·" }
            }
            let outcomes = outcomeTexts(rule)
            let location = rule.span.location.map { "\($0.path):\($0.line)" } ?? ""
            s += "\(mark) \(Self.pad(rule.name, width))  → \(outcomes.isEmpty ? "nothing" : outcomes.joined(separator: ", "))  \(location)\n"
        }
        output(s)
    }

    /// A named thing of the policy and where it is declared.
    struct Declared {
        var kind: String
        var name: String
        var span: Span
    }

    func allDeclared() -> [Declared] {
        var out: [Declared] = []
        out += policy.rules.map { Declared(kind: "rule", name: $0.name, span: $0.span) }
        out += policy.lets.filter { $0.name != Self.valueName }.map { Declared(kind: "let", name: $0.name, span: $0.span) }
        out += policy.params.map { Declared(kind: "param", name: $0.name, span: $0.span) }
        out += policy.outcomes.map { Declared(kind: "outcome", name: $0.name, span: $0.span) }
        out += policy.fixtures.map { Declared(kind: "fixture", name: $0.name, span: $0.span) }
        if let r = policy.record {
            out.append(Declared(kind: "record", name: r.name, span: r.span))
            out += r.fields.map { Declared(kind: "field", name: $0.name, span: $0.span) }
        }
        out += policy.enums.map { Declared(kind: "enum", name: $0.name, span: $0.span) }
        out += policy.areas.map { Declared(kind: "area", name: $0.name, span: $0.span) }
        out += policy.groups.map { Declared(kind: "group", name: $0.name, span: $0.span) }
        out += policy.municipalities.map { Declared(kind: "municipality", name: $0.name, span: $0.span) }
        out += policy.goals.map { Declared(kind: "goal", name: $0.name, span: $0.span) }
        out += policy.targets.map { Declared(kind: "target", name: $0.name, span: $0.span) }
        return out
    }

    /// `:show [KIND] NAME`: the source text of every declaration with that name.
    func showDeclaration(_ rest: String) {
        var args = Self.words(rest)
        let kinds = ["rule", "let", "param", "outcome", "fixture", "record", "field", "enum", "area", "group", "municipality", "goal", "target"]
        var kind: String?
        if args.count == 2, kinds.contains(args[0]) { kind = args.removeFirst() }
        guard args.count == 1, var name = args.first else {
            fail("give a name, e.g. :show career_guidance_after")
            return
        }
        if let record = policy.record, name.hasPrefix(record.name + ".") { name = String(name.dropFirst(record.name.count + 1)) }
        let all = allDeclared()
        let found = all.filter { $0.name == name && (kind == nil || $0.kind == kind) }
        guard !found.isEmpty else {
            if !hasPolicy && declarations.isEmpty {
                fail("no policy loaded: load one with :load PATH")
                return
            }
            let hint = Suggest.closest(name, among: Set(all.map(\.name))).map { "; did you mean `\($0)`?" } ?? ""
            fail("nothing is declared as `\(name)`\(hint)")
            return
        }
        var s = ""
        for (i, d) in found.enumerated() {
            if i > 0 { s += "\n" }
            s += sourceText(d)
            s += extraLines(d)
        }
        output(s)
    }

    /// Heading, `##` doc comments and the declaration's lines with their numbers.
    func sourceText(_ d: Declared) -> String {
        guard let file = d.span.file else { return "\(d.kind) \(d.name)\n" }
        let first = file.line(of: d.span.start)
        var last = file.line(of: max(d.span.start, d.span.end - 1))
        if d.kind == "field" || d.kind == "municipality" || d.kind == "group" { last = first }
        var start = first
        while start > 1, file.lineText(start - 1).trimmingCharacters(in: .whitespaces).hasPrefix("##") { start -= 1 }
        let inSession = file.path == Self.inputPath
        var s = "\(d.kind) \(d.name), " + (inSession ? "typed in this session" : "\(file.path):\(first)") + "\n"
        let width = String(last).count
        for line in start...last {
            let number = String(line)
            s += String(repeating: " ", count: width - number.count) + number + " | " + file.lineText(line) + "\n"
        }
        return s
    }

    /// A param's value on `as_of`, a let's for the client, the rules giving an outcome.
    func extraLines(_ d: Declared) -> String {
        switch d.kind {
        case "param":
            guard let p = policy.param(named: d.name) else { return "" }
            return "value on \(asOf): \(show(p.value(on: asOf), in: policy))\n"
        case "let":
            guard let l = policy.letDef(named: d.name) else { return "" }
            if let v = try? valueForClient(l.expr, in: policy) {
                let forWhom = Self.fieldsRead(l.expr, policy: policy).isEmpty ? "value" : "for \(clientTitle())"
                return "\(forWhom): \(show(v, in: policy)) : \(typeText(l.type, value: v))\n"
            }
            return "type: \(l.type)\n"
        case "outcome":
            guard let o = policy.outcome(named: d.name) else { return "" }
            let rules = policy.rules.filter { r in (r.outcomes + r.variants.flatMap(\.outcomes)).contains { $0.outcome == o.id } }
            return rules.isEmpty ? "no rule gives it\n" : "given by rule\(rules.count == 1 ? "" : "s") \(rules.map(\.name).joined(separator: ", "))\n"
        default:
            return ""
        }
    }

    // MARK: - Deciding

    func decide() {
        guard let decision = decideCurrent() else { return }
        guard !decision.outcomes.isEmpty else {
            say("\(clientTitle()) gets no outcomes as of \(asOf)")
            return
        }
        var s = "\(clientTitle()) as of \(asOf):\n"
        let texts = decision.outcomes.map(decidedText)
        let width = texts.map(\.count).max() ?? 0
        for (o, text) in zip(decision.outcomes, texts) {
            s += "  " + Self.pad(text, width) + "  rule " + o.rules.compactMap { $0 < policy.rules.count ? policy.rules[$0].name : nil }.joined(separator: ", rule ")
            if !o.overruled.isEmpty {
                s += " (over " + o.overruled.compactMap { $0 < policy.rules.count ? policy.rules[$0].name : nil }.joined(separator: ", ") + ")"
            }
            s += "\n"
        }
        output(s)
    }

    func decidedText(_ o: DecidedOutcome) -> String {
        guard o.outcome < policy.outcomes.count else { return "?" }
        let def = policy.outcomes[o.outcome]
        if let d = o.destination, d < def.destinations.count { return "\(def.kind.rawValue) \(def.name) to \(def.destinations[d])" }
        return "\(def.kind.rawValue) \(def.name)"
    }

    // MARK: - Goals

    /// `:goals [PERIOD] [ACTUALS]`: the goal table for a period.
    func goals(_ rest: String) {
        guard hasPolicy else {
            fail("no policy loaded: load one with :load PATH")
            return
        }
        var args = Self.words(rest)
        var period = policy.report.samplePeriod
        if let first = args.first, let p = Period.parse(first) {
            period = p
            args.removeFirst()
        } else if let first = args.first, !FileManager.default.fileExists(atPath: first) {
            fail("expected a period (2026, 2026-Q1 or 2026-03), got '\(first)'")
            return
        }
        guard let period else {
            fail("give a period, e.g. :goals 2026-Q1")
            return
        }
        guard args.count <= 1 else {
            fail("give a period and at most one actuals file, e.g. :goals 2026-Q1 actuals.csv")
            return
        }
        guard !policy.goals.isEmpty else {
            say("\(policy.name) declares no goals")
            return
        }
        let actuals = args.first
        if let a = actuals, !FileManager.default.fileExists(atPath: a) {
            fail("no such file: \(a)")
            return
        }
        let clients = defaultClientsFile()
        let run = GoalRun.run(policy: policy, period: period, actuals: actuals, clients: clients, asOf: clients == nil ? nil : asOf)
        for w in run.warnings { say("warning: \(w)") }
        for i in run.issues { fail("\(i)") }
        if let clients { say("targets measured over clients: \(clients), as of \(asOf)") }
        output(GoalReport(policy: policy, evaluation: run.evaluation, language: .fi).table())
    }
}
