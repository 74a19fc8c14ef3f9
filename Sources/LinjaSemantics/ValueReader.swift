import LinjaBase
import LinjaSyntax
import LinjaModel

/// Reading a typed value from Linja text, against a checked policy: the one
/// way `--param` values, the REPL's input and its `:set` read what a person
/// typed. The text is checked in memory, with the policy's declarations as
/// they were loaded (no rule file is read again).

/// An expression checked against a policy: the policy checked again with
/// the expression as a `let`, and that let.
public struct CheckedExpression {
    public var policy: Policy
    public var definition: LetDef
    /// The text as checked (with its `let` wrapper) and as typed.
    public var file: SourceFile
    public var shownFile: SourceFile

    /// A diagnostic about the checked text, moved to the text as typed.
    public func shown(_ d: Diagnostic) -> Diagnostic {
        Policy.move(d, from: file, to: shownFile, shift: file.bytes.count - shownFile.bytes.count - 1)
    }
}

extension Policy {
    /// The name the checked expression is given (never one a rule file can declare).
    public static let expressionName = "__linja_value"

    /// Checks `text` as one Linja expression over this policy. Returns the
    /// checked expression (nil when it has errors) and its diagnostics, with
    /// spans in `text` as typed (a file named `path`).
    public func checkExpression(_ text: String, path: String) -> (CheckedExpression?, [Diagnostic]) {
        let shownFile = SourceFile(path: path, text: text)
        // Syntax first, on the text alone: the whole input must be one expression.
        let syntaxErrors = Parser.parseExpression(shownFile).1.filter { $0.severity == .error }
        if !syntaxErrors.isEmpty { return (nil, syntaxErrors) }
        let prefix = "let \(Policy.expressionName) =\n"
        let file = SourceFile(path: path, text: prefix + text + "\n")
        let checked = adding([file])
        let mine = checked.diagnostics.filter { $0.span.file === file || $0.severity == .error }
        let moved = mine.map { Policy.move($0, from: file, to: shownFile, shift: prefix.utf8.count) }
        guard !moved.contains(where: { $0.severity == .error }),
              let definition = checked.letDef(named: Policy.expressionName) else { return (nil, moved) }
        return (CheckedExpression(policy: checked, definition: definition, file: file, shownFile: shownFile), moved)
    }

    /// A constant written in Linja (`2 months`, `75 %`, `Keuruu`,
    /// `2026-05-01`), of `type` (an integer is widened to a decimal). With
    /// `asOf`, the text may use `as_of` and the params in force that day;
    /// it may never read the client.
    public func readValue(_ text: String, as type: LType, asOf: Day? = nil) -> Result<Value, ValueError> {
        let (checked, diagnostics) = checkExpression(text, path: "<value>")
        guard let checked else {
            let first = diagnostics.first { $0.severity == .error }
            return .failure(ValueError(message: first?.message ?? "not a value", diagnostics: diagnostics))
        }
        let have = checked.definition.type
        // A municipality's name alone reads as a place (a group of one).
        let oneMunicipality = type.base == .municipality && have.base == .group
        guard type.accepts(have) || oneMunicipality, !have.isError else {
            return .failure(ValueError(message: "expected \(type.a), got \(have.a) ('\(text)')"))
        }
        let context = asOf.map { EvalContext(policy: checked.policy, asOf: $0) }
            ?? EvalContext(asOf: nil, params: [], lets: checked.policy.lets.map(\.expr),
                           groupSets: checked.policy.groups.map(\.members) + checked.policy.areas.map(\.municipalities))
        var evaluator = ReferenceEvaluator(context: context, client: [])
        do {
            let v = try evaluator.eval(checked.definition.expr)
            if oneMunicipality {
                guard case .group(let g) = v, g < 0 else {
                    return .failure(ValueError(message: "expected \(type.a), got a group or an area ('\(text)')"))
                }
                return .success(.municipality(-g - 1))
            }
            return .success(v.widened(to: type))
        } catch let e as EvalError {
            return .failure(ValueError(message: "'\(text)' is not a constant: \(e.message)"))
        } catch {
            return .failure(ValueError(message: "'\(text)' is not a constant"))
        }
    }

    /// A diagnostic in the wrapper file moved to the text as typed.
    static func move(_ d: Diagnostic, from file: SourceFile, to shown: SourceFile, shift: Int) -> Diagnostic {
        func moved(_ s: Span) -> Span {
            guard s.file === file else { return s }
            let limit = shown.bytes.count
            let start = min(max(s.start - shift, 0), limit)
            let end = min(max(s.end - shift, start), limit)
            return Span(file: shown, start: start, end: end)
        }
        var out = d
        out.span = moved(d.span)
        out.notes = d.notes.map { DiagnosticNote($0.message, at: $0.span.map(moved)) }
        return out
    }
}
