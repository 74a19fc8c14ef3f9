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

/// The REPL's expressions and decisions: checking what was typed, evaluating it for the current client, deciding.
extension ReplSession {
    // MARK: - Expressions

    /// An expression checked with the policy: the policy with the wrapper
    /// let, and the let.
    /// Checks `text` as an expression over the current policy, reporting
    /// its diagnostics (unless `quiet`) with spans in the text as typed.
    func checkExpression(_ text: String, quiet: Bool = false) -> CheckedExpression? {
        let (checked, diagnostics) = policy.checkExpression(text, path: Self.inputPath)
        if !quiet, !diagnostics.isEmpty { report(diagnostics) }
        return checked
    }

    /// Prints an expression's value and type for the current client.
    func evaluate(_ text: String) {
        guard let checked = checkExpression(text) else { return }
        do {
            let v = try valueForClient(checked.definition.expr, in: checked.policy)
            say("\(show(v, in: checked.policy)) : \(typeText(checked.definition.type, value: v))")
        } catch let e as EvalError {
            if e.span.file === checked.file {
                // In the input line: shown with a caret under the part that failed.
                report([checked.shown(Diagnostic(.evaluation, e.message, at: e.span))])
            } else {
                fail(evalMessage(e, checked))
            }
        } catch let e as UnsetFields {
            fail(e.message)
        } catch {
            fail("\(error)")
        }
    }

    /// Prints an expression's type without evaluating it.
    func typeOf(_ text: String) {
        guard !text.isEmpty else {
            fail("give an expression, e.g. :type unemployment")
            return
        }
        guard let checked = checkExpression(text) else { return }
        say("\(checked.definition.type)")
    }

    /// The type as shown after a value: an optional's `?` only when the value is missing.
    func typeText(_ type: LType, value: Value) -> String {
        value.isMissing ? "\(type)" : "\(type.base)"
    }

    func evalMessage(_ e: EvalError, _ checked: CheckedExpression? = nil) -> String {
        var span = e.span
        if let c = checked, span.file === c.file {
            let shift = c.file.bytes.count - c.shownFile.bytes.count - 1
            span = Span(file: c.shownFile, start: max(0, span.start - shift), end: max(0, span.end - shift))
        }
        if let l = span.location { return "\(l): \(e.message) (in `\(Self.oneLine(span.text))`)" }
        return e.message
    }

    /// The client's required fields that have no value yet.
    func unsetFields() -> [Field] {
        guard let record = policy.record else { return [] }
        return record.fields.filter { !$0.type.isOptional && ($0.slot >= client.count || client[$0.slot].isMissing) }
    }

    struct UnsetFields: Error {
        var message: String
    }

    func unsetMessage(_ fields: [Field]) -> String {
        let names = fields.map(\.name)
        let list = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " and " + (names.last ?? "")
        let suggestion = fields.first.map { ":set \($0.name) \(example(for: $0))" } ?? ":set FIELD VALUE"
        return "the client has no \(list) yet: set \(names.count == 1 ? "it" : "them") (\(suggestion)), "
            + "or take a client with :client from FILE ID"
    }

    /// The value of a checked expression for the current client; an
    /// expression reading a required field that is not set is refused.
    func valueForClient(_ e: TExpr, in p: Policy) throws -> Value {
        let read = Self.fieldsRead(e, policy: p)
        let unset = unsetFields().filter { read.contains($0.slot) }
        if !unset.isEmpty { throw UnsetFields(message: unsetMessage(unset)) }
        var evaluator = ReferenceEvaluator(context: context(for: p), client: client)
        return try evaluator.eval(e)
    }

    func context(for p: Policy) -> EvalContext {
        EvalContext(policy: p, asOf: asOf)
    }

    /// The record fields an expression reads, through the lets it uses.
    static func fieldsRead(_ e: TExpr, policy p: Policy) -> Set<Int> {
        var fields = Set<Int>()
        var seenLets = Set<Int>()
        func visit(_ x: TExpr) {
            switch x.kind {
            case .field(let slot): fields.insert(slot)
            case .letRef(let l):
                if l < p.lets.count, seenLets.insert(l).inserted { visit(p.lets[l].expr) }
            default: x.forEachChild(visit)
            }
        }
        visit(e)
        return fields
    }

    /// A value for the REPL: texts quoted, the rest as `linja run` writes them.
    func show(_ v: Value, in p: Policy) -> String {
        switch v {
        case .text(let s): return Self.quoted(s)
        case .set(let items): return "{" + items.map { show($0, in: p) }.joined(separator: ", ") + "}"
        default: return ValueFormatter(policy: p).text(v)
        }
    }

    /// A Linja string literal (the formatter's quoting, so the REPL prints what a rule file would).
    static func quoted(_ s: String) -> String { Layout.quote(s) }

    static func oneLine(_ s: String) -> String {
        s.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    // MARK: - Deciding

    /// The current client's decision with every rule's status, or nil after
    /// saying why it cannot be made.
    func decideCurrent() -> Decision? {
        guard hasPolicy || !policy.rules.isEmpty else {
            fail("no policy loaded: load one with :load PATH")
            return nil
        }
        guard policy.record != nil else {
            fail("the policy declares no record, so there is no client to decide")
            return nil
        }
        let unset = unsetFields()
        if !unset.isEmpty {
            fail(unsetMessage(unset))
            return nil
        }
        do {
            return try ReferenceDecider(policy: policy, asOf: asOf).decide(client)
        } catch let e as EvalError {
            fail("the client cannot be decided: \(evalMessage(e))")
        } catch {
            fail("the client cannot be decided: \(error)")
        }
        return nil
    }

    /// The decision when it can be made, saying nothing otherwise.
    func decideQuietly() -> Decision? {
        guard policy.record != nil, unsetFields().isEmpty else { return nil }
        return try? ReferenceDecider(policy: policy, asOf: asOf).decide(client)
    }

    func explainer() -> Explainer {
        Explainer(policy: policy, context: context(for: policy))
    }
}
