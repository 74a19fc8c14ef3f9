// The REPL session: lines in, text out, no terminal.
//
// `ReplSession` holds what a policy author explores: a policy (with the
// declarations typed in this session), a client and an `as_of` date. Each
// input is an expression (its value and type are printed), a declaration
// (added to the session), or a `:command`. The terminal front end
// (`linja repl`) feeds it lines read with `LineReader`; tests feed it lines
// and compare what it writes.

import Foundation
import Linja

/// What the front end should do after a line was submitted.
public enum ReplStatus: Equatable, Sendable {
    /// The input was handled: prompt for a new one.
    case ready
    /// The input continues on the next line: show the continuation prompt.
    case needsMore
    /// `:quit`: end the session.
    case quit
}

/// An interactive session over a policy, independent of any terminal.
///
/// Not thread-safe: drive one session from one thread.
public final class ReplSession {
    /// Where the session writes: whole lines, each ending with a newline.
    public typealias Output = (String) -> Void

    /// The name of the let an expression is wrapped in to be checked.
    static var valueName: String { Policy.expressionName }
    /// The path shown for text typed in the session.
    static let inputPath = "<repl>"

    let output: Output
    let renderer: DiagnosticRenderer
    let today: Day

    /// The date rules are evaluated on.
    public internal(set) var asOf: Day
    /// Set by the user (`--as-of`, `:as-of`); otherwise a loaded policy's
    /// sample date is used.
    var asOfChosen: Bool

    /// The policy path as the user gave it, kept for `:reload` even when
    /// loading it failed.
    var policyPath: String?
    /// The policy as loaded from its files, without the session's declarations.
    var base: Policy
    /// `base` with the session's declarations: what inputs are checked against.
    public internal(set) var policy: Policy
    /// Whether a policy directory is loaded (otherwise only the session's
    /// own declarations exist).
    public internal(set) var hasPolicy = false
    /// Declarations typed in this session, oldest first.
    var declarations: [SessionDeclaration] = []

    /// The current client: one value per record field, in field order;
    /// `.missing` for a field not given (a required one is "not set").
    public internal(set) var client: [Value] = []
    /// Where the client came from, for `:client`.
    var clientOrigin = "a new client"
    /// Fields changed with `:set` since the client was taken.
    var changedFields: Set<Int> = []
    /// The data file given with `--clients`, used by `:client from ID` and `:goals`.
    var clientsFile: String?

    /// The last change plan made (`:due`, `:why-not`), with what it was made for.
    var planCache: (key: String, plan: ChangePlan)?

    /// Lines of an input that continues.
    var pending: [String] = []
    /// Errors reported so far (a script's exit status can use it).
    public internal(set) var errorCount = 0

    /// - Parameters:
    ///   - asOf: the evaluation date; nil takes a loaded policy's sample
    ///     date (`report { sample as_of … }`), else `today`.
    ///   - today: the date to fall back on (the session never reads the clock).
    ///   - clients: a client data file for `:client from ID` and `:goals`.
    ///   - color: colour diagnostics with ANSI codes.
    ///   - output: receives everything the session prints.
    public init(asOf: Day? = nil, today: Day, clients: String? = nil, color: Bool = false, output: @escaping Output) {
        self.output = output
        self.renderer = DiagnosticRenderer(color: color)
        self.today = today
        self.asOf = asOf ?? today
        self.asOfChosen = asOf != nil
        self.clientsFile = clients
        let empty = Policy.standalone()
        self.base = empty
        self.policy = empty
    }

    /// Whether an input is open and the next line continues it.
    public var isContinuing: Bool { !pending.isEmpty }

    // MARK: - Input

    /// Takes one line of input.
    ///
    /// A line that leaves a bracket or `"""` open, ends with an operator,
    /// `and`/`or` or `:`, or starts a rule without its `then`, returns
    /// `.needsMore`; the lines are handled together once the input is
    /// complete, or at an empty line. A `:command` is run at once (dropping
    /// an unfinished input). Errors are printed, never thrown.
    public func submit(_ line: String) -> ReplStatus {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix(":") {
            if !pending.isEmpty {
                pending = []
                say("(the unfinished input before this command was dropped)")
            }
            return command(trimmed)
        }
        if pending.isEmpty {
            if trimmed.isEmpty { return .ready }
            pending = [line]
        } else if trimmed.isEmpty {
            return finishInput()
        } else {
            pending.append(line)
        }
        if Self.continues(pending.joined(separator: "\n")) { return .needsMore }
        return finishInput()
    }

    /// Handles the open input as it stands (an empty line, or the end of
    /// input in the middle of one).
    @discardableResult
    public func finishInput() -> ReplStatus {
        guard !pending.isEmpty else { return .ready }
        let text = pending.joined(separator: "\n")
        pending = []
        handle(text)
        return .ready
    }

    /// Drops the open input (Ctrl-C).
    public func cancelInput() {
        pending = []
    }

    /// An expression or a declaration.
    func handle(_ text: String) {
        let tokens = Lexer.lex(SourceFile(path: Self.inputPath, text: text)).tokens
        if case .keyword(let k)? = tokens.first?.kind, k.startsDeclaration {
            declare(text)
        } else {
            evaluate(text)
        }
    }

    /// Whether text typed so far needs more lines: an open bracket or
    /// `"""`, a trailing operator or keyword that needs what follows, or a
    /// rule with no `then` yet.
    public static func continues(_ text: String) -> Bool {
        let lexed = Lexer.lex(SourceFile(path: inputPath, text: text))
        if lexed.diagnostics.contains(where: { $0.code == .unterminatedString && $0.span.text.hasPrefix("\"\"\"") }) {
            return true
        }
        var depth = 0
        var sawRule = false
        var sawThen = false
        var last: TokenKind?
        for token in lexed.tokens where token.kind != .eof {
            switch token.kind {
            case .lbrace, .lparen, .lbracket: depth += 1
            case .rbrace, .rparen, .rbracket: depth -= 1
            case .keyword(.rule) where last == nil: sawRule = true
            case .keyword(.then): sawThen = true
            default: break
            }
            last = token.kind
        }
        if depth > 0 { return true }
        if sawRule && !sawThen { return true }
        guard let last else { return false }
        switch last {
        case .plus, .minus, .star, .slash, .eq, .eqeq, .neq, .lt, .le, .gt, .ge, .comma, .colon, .dot, .arrow, .pipe:
            return true
        case .keyword(let k):
            switch k {
            case .and, .or, .not, .is, .in, .otherwise, .when, .unless, .then, .if, .else, .since, .of, .where,
                 .among, .to, .over, .from, .until, .case:
                return true
            default:
                return false
            }
        default:
            return false
        }
    }

    // MARK: - Writing

    func say(_ text: String) {
        output(text.hasSuffix("\n") ? text : text + "\n")
    }

    func fail(_ message: String) {
        errorCount += 1
        say("error: \(message)")
    }

    /// Diagnostics as `linja check` prints them, without its summary line.
    func report(_ diagnostics: [Diagnostic]) {
        guard !diagnostics.isEmpty else { return }
        errorCount += diagnostics.filter { $0.severity == .error }.count
        output(renderer.render(DiagnosticBag.sort(diagnostics), summary: false))
    }

    /// A path as the user reads it: relative to the working directory when inside it.
    func shown(_ path: String) -> String {
        Paths.display(Paths.normalize(path))
    }

    // MARK: - Loading

    /// Loads the policy at `path` (a policy directory or one of its files),
    /// keeping the session's declarations that still check and the date;
    /// the client starts anew. A policy with errors is reported and the
    /// previous one kept.
    public func load(_ path: String) {
        let fresh: Policy
        switch readPolicy(path) {
        case .notFound:
            return
        case .hasErrors:
            policyPath = path
            say(hasPolicy ? "kept \(policy.name) as it was; fix the errors and :reload to load \(path)"
                : "no policy loaded: fix the errors and :reload")
            return
        case .loaded(let p):
            policyPath = path
            fresh = p
        }
        install(fresh, keepingClient: false)
        say("loaded \(summary(of: policy))")
        if asOfChosen {
            say("as of \(asOf)")
        } else if let sample = policy.report.sampleAsOf {
            asOf = sample
            say("as of \(asOf), the policy's sample date (:as-of DATE changes it)")
        } else {
            asOf = today
            say("as of \(asOf), today (:as-of DATE changes it)")
        }
        describeClientBriefly()
    }

    /// Reads the files of the policy loaded last again, keeping the client,
    /// the date and the session's declarations.
    func reload() {
        guard let path = policyPath else {
            fail("no policy to reload: load one with :load PATH")
            return
        }
        guard case .loaded(let fresh) = readPolicy(path) else {
            if hasPolicy { say("kept \(policy.name) as it was last loaded") } else { say("no policy loaded: fix the errors and :reload") }
            return
        }
        let hadPolicy = hasPolicy
        install(fresh, keepingClient: hadPolicy)
        say("reloaded \(summary(of: policy))")
        if !hadPolicy { describeClientBriefly() }
    }

    /// "etela-keski-suomi: 9 rules, 12 outcomes, 8 municipalities, 8 goals".
    func summary(of p: Policy) -> String {
        func count(_ n: Int, _ one: String, _ many: String) -> String { "\(n) \(n == 1 ? one : many)" }
        var parts = [count(p.rules.count, "rule", "rules"), count(p.outcomes.count, "outcome", "outcomes"),
                     count(p.municipalities.count, "municipality", "municipalities")]
        if !p.goals.isEmpty { parts.append(count(p.goals.count, "goal", "goals")) }
        return "\(p.name): " + parts.joined(separator: ", ")
    }

    enum ReadResult {
        /// No policy directory there (reported).
        case notFound
        /// The policy's files have errors (reported).
        case hasErrors
        case loaded(Policy)
    }

    /// The policy at `path` from its files, or why not (already reported).
    func readPolicy(_ path: String) -> ReadResult {
        guard let (directories, root) = PolicyLoader.discover(path) else {
            fail("no such policy directory: \(path)")
            return .notFound
        }
        guard directories.count == 1, let directory = directories.first else {
            fail(directories.isEmpty ? "no rule files (.linja) in \(path)"
                 : "\(path) holds \(directories.count) policies; name one, e.g. :load \(shown(directories[0]))")
            return .notFound
        }
        let fresh = Policy.load(directory: directory, root: root)
        if fresh.hasErrors {
            report(fresh.diagnostics.filter { $0.severity == .error })
            return .hasErrors
        }
        return .loaded(fresh)
    }

    /// Makes `fresh` the session's policy: its declarations are added back
    /// one by one, dropping (and saying so) those that no longer check.
    func install(_ fresh: Policy, keepingClient: Bool) {
        let oldPolicy = policy
        let oldClient = client
        base = fresh
        hasPolicy = true
        var kept: [SessionDeclaration] = []
        var current = fresh
        for d in declarations {
            let candidate = current.adding(kept.map(\.file) + [d.file])
            let errors = candidate.diagnostics.filter { $0.severity == .error }
            if errors.isEmpty {
                kept.append(d)
                current = candidate
            } else {
                say("dropped \(d.title) typed in this session: it no longer checks")
                report(errors)
            }
        }
        declarations = kept
        policy = current
        if keepingClient {
            carryClient(from: oldClient, of: oldPolicy)
        } else {
            newClient()
        }
    }

    /// Keeps the client's values for fields the new record still has with the same type.
    func carryClient(from values: [Value], of old: Policy) {
        guard let record = policy.record else {
            client = []
            return
        }
        let oldFields = old.record?.fields ?? []
        var fresh = record.fields.map { $0.defaultValue ?? .missing }
        var carried = Set<Int>()
        for f in record.fields {
            guard let o = oldFields.first(where: { $0.name == f.name }), o.type == f.type, o.slot < values.count else { continue }
            fresh[f.slot] = Self.translate(values[o.slot], from: old, to: policy)
            carried.insert(f.slot)
        }
        client = fresh
        changedFields = changedFields.intersection(carried)
        let reset = record.fields.filter { !carried.contains($0.slot) }.map(\.name)
        if !reset.isEmpty, !oldFields.isEmpty {
            say("the record changed: \(reset.joined(separator: ", ")) reset to \(reset.count == 1 ? "its default" : "their defaults")")
        }
    }

    /// Municipalities and enumeration values by name, since ids may move when files change.
    static func translate(_ v: Value, from old: Policy, to new: Policy) -> Value {
        switch v {
        case .municipality(let m):
            guard m >= 0, m < old.municipalities.count, let id = new.municipality(named: old.municipalities[m].name) else { return .missing }
            return .municipality(id)
        case .enumeration(let t, let i):
            guard t < old.enums.count, i < old.enums[t].values.count,
                  let nt = new.enums.firstIndex(where: { $0.name == old.enums[t].name }),
                  let ni = new.enums[nt].index(of: old.enums[t].values[i]) else { return .missing }
            return .enumeration(type: nt, index: ni)
        case .set(let items):
            return .set(items.map { translate($0, from: old, to: new) })
        default:
            return v
        }
    }

    // MARK: - Declarations

    /// Checks a declaration with the policy and keeps it if it checks; a
    /// declaration of a name declared earlier in the session replaces it.
    func declare(_ text: String) {
        let file = SourceFile(path: Self.inputPath, text: text + "\n")
        let parsed = Parser.parse(file)
        if parsed.declarations.contains(where: { if case .importDecl = $0 { return true }; return false }) {
            fail("imports belong in rule files: load a policy directory with :load PATH instead")
            return
        }
        let parseErrors = parsed.diagnostics.filter { $0.severity == .error }
        if !parseErrors.isEmpty {
            report(parseErrors)
            return
        }
        let names = parsed.declarations.flatMap(SessionDeclaration.names)
        let replaced = declarations.filter { !Set($0.names).isDisjoint(with: names) }
        let kept = declarations.filter { Set($0.names).isDisjoint(with: names) }
        let candidate = base.adding(kept.map(\.file) + [file])
        let errors = candidate.diagnostics.filter { $0.severity == .error }
        if !errors.isEmpty {
            report(errors)
            say("not added")
            return
        }
        report(candidate.diagnostics.filter { $0.severity != .error && $0.span.file === file })
        declarations = kept + [SessionDeclaration(file: file, names: names, declarations: parsed.declarations)]
        policy = candidate
        let verb = replaced.isEmpty ? "" : "redefined "
        for d in parsed.declarations {
            say(verb + describeDeclared(d))
        }
    }

    /// One line about a declaration just added: a let's or param's value and type, a rule's status.
    func describeDeclared(_ d: Declaration) -> String {
        switch d {
        case .letDecl(let l):
            guard let def = policy.letDef(named: l.header.name.text) else { return "let \(l.header.name.text)" }
            if let v = try? valueForClient(def.expr, in: policy) {
                return "let \(def.name) = \(show(v, in: policy)) : \(typeText(def.type, value: v))"
            }
            return "let \(def.name) : \(def.type)"
        case .param(let p):
            guard let def = policy.param(named: p.header.name.text) else { return "param \(p.header.name.text)" }
            let v = def.value(on: asOf)
            return "param \(def.name) = \(show(v, in: policy)) : \(def.type)"
        case .rule(let r):
            let name = r.header.name.text
            guard let rule = policy.rule(named: name) else { return "rule \(name)" }
            guard let decided = decideQuietly(), let statuses = decided.statuses, rule.id < statuses.count else {
                return "rule \(name)"
            }
            let explanation = explainer().explain(client, statuses: statuses)[rule.id]
            return "rule \(name), for \(clientTitle()): \(explanation.summary)"
                + (explanation.outcomes.isEmpty ? "" : " → " + explanation.outcomes.joined(separator: ", "))
        case .outcome(let o):
            return "outcome \(o.kind.rawValue) \(o.header.name.text)"
        case .fixture(let f):
            return "fixture \(f.header.name.text) (:client like \(f.header.name.text) takes it)"
        case .enumDecl(let e):
            return "enum \(e.header.name.text)"
        case .goal(let g):
            return "goal \(g.header.name.text)"
        case .area(let a):
            return "area \(a.header.name.text)"
        case .record(let r):
            return "record \(r.header.name.text)"
        case .test(let t):
            return "test \"\(t.name)\" (checked; `linja test` runs tests)"
        case .verdicts:
            return "verdicts"
        case .report:
            return "report settings"
        case .unit(let u):
            return "unit \(Layout.quote(u.one)) other \(Layout.quote(u.other))"
        case .importDecl(let i):
            return "import \(i.path)"
        }
    }

}

/// A declaration typed in the session and kept.
struct SessionDeclaration {
    struct Name: Hashable {
        var kind: String
        var name: String
    }

    var file: SourceFile
    var names: [Name]
    var declarations: [Declaration]

    /// "let x", "rule y and param z".
    var title: String {
        let parts = names.map { "\($0.kind) \($0.name)" }
        return parts.isEmpty ? "a declaration" : parts.joined(separator: " and ")
    }

    static func names(_ d: Declaration) -> [Name] {
        switch d {
        case .letDecl(let x): return [Name(kind: "let", name: x.header.name.text)]
        case .param(let x): return [Name(kind: "param", name: x.header.name.text)]
        case .rule(let x): return [Name(kind: "rule", name: x.header.name.text)]
        case .outcome(let x): return [Name(kind: "outcome", name: x.header.name.text)]
        case .fixture(let x): return [Name(kind: "fixture", name: x.header.name.text)]
        case .enumDecl(let x): return [Name(kind: "enum", name: x.header.name.text)]
        case .goal(let x): return [Name(kind: "goal", name: x.header.name.text)]
        case .area(let x): return [Name(kind: "area", name: x.header.name.text)]
        case .record(let x): return [Name(kind: "record", name: x.header.name.text)]
        case .test(let x): return [Name(kind: "test", name: x.name)]
        case .verdicts: return [Name(kind: "verdicts", name: "")]
        case .report: return [Name(kind: "report", name: "")]
        case .unit(let x): return [Name(kind: "unit", name: x.other)]
        case .importDecl(let x): return [Name(kind: "import", name: x.path)]
        }
    }
}
