import Linja

/// The canonical layout of Linja rule files, as `linja fmt` prints them.
///
/// Like `gofmt` and `opa fmt`, there is one layout and no options. The
/// formatter prints the syntax tree again and puts every comment back; it
/// never reorders clauses or items (each is printed where it stands in the
/// source), never changes a name, a number or a string's text, and never
/// prints a file whose tree, once read back, differs from the original's.
///
/// **Lines and indentation.** Two spaces per level, no tabs, no trailing
/// white space, `\n` line ends, one `\n` at the end of the file. Lines aim
/// for at most 100 characters (counted as characters, not bytes); strings
/// and names are never broken, so a long label may make a longer line.
///
/// **Declarations.** One blank line between top-level declarations. One-line
/// declarations of the same kind (`import`, `outcome`, `param`, `let`)
/// written without a blank line between them stay together as a group.
/// A declaration's continuation clauses go on lines of their own, indented
/// two spaces under it: a rule's `in`, `when`, `unless`, `then`, variants,
/// `from`, `until`, `overrides`, `over`; a field's `column`, `values`,
/// `default`; a target's `level`, `baseline`, `for`, `measured`, `reported`;
/// a param's dated values; and every `source`, `assumption` and `note`.
/// A variant's `then` goes on the next line, two spaces deeper than its `in`
/// (and its `when`, too, when the variant's head does not fit on one line).
/// A target's comparison (`>= 75 %`, `assessed "…"`) stays on its head line
/// when it fits, else goes on the next line as its first clause. A goal's
/// head (`goal name "label" level KV for 2026 {`) stays on one line when it
/// fits and has no attributes; otherwise its label goes on a line of its own
/// if needed, `level`, `for` and attributes each on a line of their own, and
/// the `{` on a line of its own (the same for a fixture with attributes).

/// **Lists.** Municipalities, group members, scopes, outcome lists,
/// destinations, columns, value maps and sets are comma-separated (`a, b`)
/// and wrap where the next item does not fit, continuing under the first
/// item: `municipalities Joutsa code "172", Jämsä code "182", …`. A group's
/// members move to the next line, indented, when the head and members do
/// not fit on one. An outcome's `to` list stays on its line when it fits.
/// In a rule's `then`, a kind that is the same as the previous outcome's is
/// left out: `then assess career_guidance, skills_development`. An inline
/// enumeration wraps before `|`, the `|` under the field's `:` (or indented
/// four spaces when the field's name and label are long).
///
/// **Expressions.** One space around binary operators and after `not`,
/// none inside parentheses, braces of sets or calls (`{unemployed, laid_off}`,
/// `age(client.birth_date)`). Operators are spelled `=`, `!=`, `<`, `<=`,
/// `>`, `>=` (`==`, `<>`, `≠`, `≤`, `≥` are rewritten). Parentheses are
/// printed exactly where the grammar needs them for the same reading, and
/// around a `not` that is an operand of `otherwise`, a comparison or
/// arithmetic, and around `if … else …` (and an aggregate with `where`)
/// inside a larger expression, where the reading would surprise. An
/// expression that does not fit breaks at its `and`s and `or`s: one operand
/// a line, each later line starting with the operator, aligned with the
/// chain's first operand; an `and` chain inside an `or` chain is indented
/// two more. `let` and `param` values move to the next line, indented, when
/// they do not fit after `=`. An aggregate breaks before `where` and
/// `among`, aligned with its first word (`share`, `count`, `average`); `if`
/// breaks before `then` and `else`; `case` puts one branch a line. Presence
/// tests are written `x is missing` and `x is present` (for `is not present`
/// and `is not missing`).
///
/// **Literals.** Numbers keep their text (`1_000`, `3.82`); a unit follows
/// its number after one space and keeps its word (`75 %`, `10 days`,
/// `14 vrk`, `21.77 M€`, `10 working days`). Dates and periods are printed
/// as written (`2026-05-01`, `2026-Q1`). Strings are re-escaped (`\"`, `\\`,
/// `\n`, `\t`, `\u{…}` for other control characters); quoted names stay
/// quoted. A test's `check` text is a `"""` block whose lines are indented
/// one level deeper than `check`, the closing `"""` with them.
///
/// **Tables.** An `examples` table's cells are padded so its `|`s line up.
/// A goal's targets are a table too: their comparisons are aligned in one
/// column when every target's `target name "label"` takes at most 60
/// columns and every aligned line fits.
///
/// **Comments.** Every comment is kept, once, and no comment's text changes
/// except that trailing white space is removed. A comment on a line of its
/// own stays right before the construct that follows it (a declaration, a
/// clause, a block item, an operand), at that construct's indentation; a
/// blank line before or after it is kept. Comments right under a
/// declaration, with a blank line after them, stay under it (no blank line
/// is put between). A comment after code stays after
/// the same code, one space after it, and the line breaks there: a comment
/// inside a `{ … }` that would fit on one line, or after an operand of a
/// chain, keeps that block or chain broken. `##` doc comments are comments on
/// lines of their own and stay before their declaration.
///
/// **Refusals.** A file with syntax errors is not formatted (its diagnostics
/// are returned), nor one with an operator chain of more than
/// `longestChain` operands (`nesting-too-deep`). As a last guard, the
/// result is read back; if its tree or its comments differed from the
/// file's, the file would be refused with `unformattable` rather than changed.
public enum Formatter {
    /// The line width the layout aims for, in characters.
    public static let width = 100

    /// The most operands one chain of operators may have (`a and b and …`):
    /// the syntax tree of a longer one is too deep to check safely.
    public static let longestChain = 1_000

    /// The canonical text of a rule file, or the diagnostics of a file that
    /// does not parse (a file with syntax errors is never formatted).
    ///
    /// A comment whose code is not printed (it followed a redundant
    /// parenthesis) or that shares a line with another may only find its
    /// place one pass later, so the file is formatted until the text stays
    /// the same (at most three passes; each is checked to keep the tree and
    /// the comments). Formatting the result again changes nothing.
    public static func format(_ source: SourceFile) -> Result<String, [Diagnostic]> {
        var text: String
        switch formatOnce(source) {
        case .failure(let ds): return .failure(ds)
        case .success(let t): text = t
        }
        for _ in 0..<2 {
            guard case .success(let next) = formatOnce(SourceFile(path: source.path, text: text)) else {
                return .failure([unformattable(source)])
            }
            if next == text { return .success(text) }
            text = next
        }
        return .failure([unformattable(source)])
    }

    static func unformattable(_ source: SourceFile) -> Diagnostic {
        Diagnostic(.unformattable, "the formatter could not print this file without changing it",
                   at: Span(file: source, start: 0, end: 0), help: "please report this file; it is left as it is")
    }

    /// One pass of formatting.
    static func formatOnce(_ source: SourceFile) -> Result<String, [Diagnostic]> {
        let parsed = Parser.parse(source)
        let errors = parsed.diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty else { return .failure(DiagnosticBag.sort(errors)) }
        let layout = Layout(source: SourceIndex(file: parsed.file, comments: parsed.comments))
        layout.file(parsed.declarations)
        guard layout.longestChain <= longestChain else {
            let at = Span(file: source, start: 0, end: 0)
            return .failure([Diagnostic(.nestingTooDeep,
                                        "an expression chains \(layout.longestChain) operands; the formatter takes at most \(longestChain)",
                                        at: at, help: "split the expression into named `let`s")])
        }
        var printer = DocPrinter(width: width)
        let text = printer.print(layout.w.doc())
        // The formatter never changes what a file means: read the result back
        // and refuse to give it when its tree or its comments differ.
        let again = Parser.parse(SourceFile(path: source.path, text: text))
        let sameComments = Self.commentTexts(again.comments) == Self.commentTexts(parsed.comments)
        guard again.diagnostics.allSatisfy({ $0.severity != .error }),
              again.declarations == parsed.declarations, sameComments else {
            return .failure([unformattable(source)])
        }
        return .success(text)
    }

    /// The texts of comments, sorted (a multiset), without trailing white space.
    static func commentTexts(_ comments: [Comment]) -> [String] {
        comments.map { DocWriter.trimmed($0.text) }.sorted()
    }

    /// Lays out declarations built in code (no source: no comments, and
    /// literals printed from their values), for tests.
    static func layOut(declarations: [Declaration]) -> String {
        let empty = SourceFile(path: "<built>", text: "")
        let layout = Layout(source: SourceIndex(file: empty, comments: []))
        layout.file(declarations)
        var printer = DocPrinter(width: width)
        return printer.print(layout.w.doc())
    }

    /// Lays out a parsed file without checking the result (`width` other
    /// than the canonical one is for tests).
    static func layOut(_ parsed: PolicyFile, width: Int = Formatter.width) -> String {
        let layout = Layout(source: SourceIndex(file: parsed.file, comments: parsed.comments))
        layout.file(parsed.declarations)
        var printer = DocPrinter(width: width)
        return printer.print(layout.w.doc())
    }
}

/// Diagnostics are the error side of `Formatter.format`'s `Result`.
extension Array: @retroactive Error where Element == Diagnostic {}
