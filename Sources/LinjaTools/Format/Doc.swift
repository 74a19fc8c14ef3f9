/// The formatter's layout language, after Wadler's "prettier printer" and
/// Prettier's printer: text, places where a line may break, groups that
/// break all their lines or none, indentation, and fills that break only
/// where they must.
///
/// The formatter first writes a flat list of commands (`DocCommand`), which
/// lets it put a trailing comment back after a token it emitted earlier;
/// `Doc.build` turns the list into a tree and marks every group that holds
/// a forced line break, and `DocPrinter` lays the tree out.
indirect enum Doc: Sendable {
    /// Text without line breaks.
    case text(String)
    /// A space, or a line break when its group breaks.
    case line
    /// Always a line break.
    case hardline
    /// A line break with one empty line before the next text (at most one;
    /// never at the start of the output nor right after a line ending in `{`).
    case blankLine
    case concat([Doc])
    /// Prints flat when it fits in the rest of the line, else breaks every
    /// `line` directly inside it. `broken` is set when it holds a forced break.
    case group(Doc, broken: Bool)
    /// Nests the indentation of following lines by `n` columns.
    case indent(Int, Doc)
    /// Indents following lines to the column where this starts.
    case align(Doc)
    /// Content, separator, content, …: a separator breaks only when the
    /// content after it does not fit on the line.
    case fill([Doc])
    /// Text put at the end of the current line (a trailing comment).
    case lineSuffix(String)
    /// A comment on a line of its own, at the current indentation.
    case ownLineComment(String)
    /// Text printed only when the enclosing group is flat (a `,` between
    /// items that are otherwise on lines of their own).
    case flatOnly(String)
    /// Lines printed as they are, each starting at the current indentation
    /// (empty ones stay empty): the text of a `"""` string.
    case verbatim([String])
}

/// One command of the flat list the formatter writes.
enum DocCommand: Sendable {
    case text(String)
    case line, hardline, blankLine
    case groupBegin, groupEnd
    case indentBegin(Int), indentEnd
    case alignBegin, alignEnd
    /// A fill: its items are delimited by `fillItem`; items are separated by `line`s.
    case fillBegin, fillItemBegin, fillItemEnd, fillEnd
    case lineSuffix(String)
    case ownLineComment(String)
    case flatOnly(String)
    case verbatim([String])
}

extension Doc {
    /// Builds the tree from a well-nested command list and marks the groups
    /// that must break (those holding a hard line break or an own-line comment).
    static func build(_ commands: [DocCommand]) -> Doc {
        var index = 0
        let (doc, _) = parseSequence(commands, &index)
        return doc
    }

    /// Reads commands up to the end marker of the enclosing construct; returns
    /// the sequence and whether it holds a forced break.
    private static func parseSequence(_ cs: [DocCommand], _ i: inout Int) -> (Doc, Bool) {
        var parts: [Doc] = []
        var hard = false
        loop: while i < cs.count {
            let c = cs[i]
            switch c {
            case .groupEnd, .indentEnd, .alignEnd, .fillEnd, .fillItemEnd:
                break loop
            default:
                break
            }
            i += 1
            switch c {
            case .text(let s): parts.append(.text(s))
            case .line: parts.append(.line)
            case .hardline: parts.append(.hardline); hard = true
            case .blankLine: parts.append(.blankLine); hard = true
            case .lineSuffix(let s): parts.append(.lineSuffix(s))
            case .ownLineComment(let s): parts.append(.ownLineComment(s)); hard = true
            case .flatOnly(let s): parts.append(.flatOnly(s))
            case .verbatim(let ls): parts.append(.verbatim(ls)); hard = true
            case .groupBegin:
                let (inner, h) = parseSequence(cs, &i)
                i += 1 // groupEnd
                parts.append(.group(inner, broken: h))
                hard = hard || h
            case .indentBegin(let n):
                let (inner, h) = parseSequence(cs, &i)
                i += 1
                parts.append(.indent(n, inner))
                hard = hard || h
            case .alignBegin:
                let (inner, h) = parseSequence(cs, &i)
                i += 1
                parts.append(.align(inner))
                hard = hard || h
            case .fillBegin:
                var items: [Doc] = []
                while i < cs.count, case .fillItemBegin = cs[i] {
                    i += 1
                    let (inner, h) = parseSequence(cs, &i)
                    i += 1 // fillItemEnd
                    if !items.isEmpty { items.append(.line) }
                    items.append(inner)
                    hard = hard || h
                }
                i += 1 // fillEnd
                parts.append(.fill(items))
            case .groupEnd, .indentEnd, .alignEnd, .fillEnd, .fillItemBegin, .fillItemEnd:
                break
            }
        }
        return (parts.count == 1 ? parts[0] : .concat(parts), hard)
    }
}

/// Lays a `Doc` out in a given width. Columns are counted in characters.
struct DocPrinter {
    enum Mode { case flat, breaking }

    private struct Command {
        var indent: Int
        var mode: Mode
        var doc: Doc
    }

    let width: Int
    private var lines: [String] = []
    private var current = ""
    private var currentWidth = 0
    /// The current line has text (not just the indentation to come).
    private var hasContent = false
    /// The indentation of the current line, written when its first text comes.
    private var pendingIndent = 0
    private var wantBlank = false
    /// Whether the code on the current line ends with `{` (comments aside),
    /// and whether the last line written did: no blank line follows a `{`.
    private var codeOpensBlock = false
    /// A `##` comment that trailed code was just given a line of its own:
    /// a blank line follows it.
    private var orphanDocStyle = false
    private var lastLineOpensBlock = false
    private var lineSuffixes: [String] = []

    init(width: Int) {
        self.width = width
    }

    /// The laid-out text: lines without trailing white space, each ending in a line feed.
    mutating func print(_ doc: Doc) -> String {
        var stack = [Command(indent: 0, mode: .breaking, doc: doc)]
        while let cmd = stack.popLast() {
            switch cmd.doc {
            case .text(let s):
                emit(s)
                if !s.isEmpty { codeOpensBlock = s.hasSuffix("{") }
            case .concat(let parts):
                for p in parts.reversed() { stack.append(Command(indent: cmd.indent, mode: cmd.mode, doc: p)) }
            case .indent(let n, let d):
                stack.append(Command(indent: cmd.indent + n, mode: cmd.mode, doc: d))
            case .align(let d):
                stack.append(Command(indent: column, mode: cmd.mode, doc: d))
            case .group(let d, let broken):
                if cmd.mode == .flat && !broken {
                    stack.append(Command(indent: cmd.indent, mode: .flat, doc: d))
                } else {
                    let flat = Command(indent: cmd.indent, mode: .flat, doc: d)
                    if !broken, fits([flat], rest: stack, width: width - column) {
                        stack.append(flat)
                    } else {
                        stack.append(Command(indent: cmd.indent, mode: .breaking, doc: d))
                    }
                }
            case .fill(let parts):
                layOutFill(parts, cmd, &stack)
            case .line:
                if cmd.mode == .flat {
                    emit(" ")
                } else {
                    newline(cmd.indent)
                }
            case .hardline:
                newline(cmd.indent)
            case .blankLine:
                newline(cmd.indent)
                wantBlank = true
            case .lineSuffix(let s):
                lineSuffixes.append(s)
            case .ownLineComment(let s):
                newline(cmd.indent)
                emit(s)
                newline(cmd.indent)
            case .flatOnly(let s):
                if cmd.mode == .flat { emit(s) }
            case .verbatim(let ls):
                newline(cmd.indent)
                let pad = String(repeating: " ", count: cmd.indent)
                for l in ls { lines.append(l.isEmpty ? "" : pad + l) }
            }
        }
        newline(0)
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    /// The column where the next text goes.
    private var column: Int { hasContent ? currentWidth : pendingIndent }

    private mutating func emit(_ text: String) {
        var s = Substring(text)
        if !hasContent {
            // A line never starts with a space (text after a comment's line break).
            s = s.drop { $0 == " " }
            if s.isEmpty { return }
            if wantBlank, let last = lines.last, !last.isEmpty, !lastLineOpensBlock {
                lines.append("")
            }
            wantBlank = false
            current = String(repeating: " ", count: pendingIndent)
            currentWidth = pendingIndent
            hasContent = true
        }
        current += s
        currentWidth += s.count
    }

    /// Ends the current line (if it has text) and sets the next line's indentation.
    private mutating func newline(_ indent: Int) {
        if !lineSuffixes.isEmpty {
            let suffixes = lineSuffixes
            lineSuffixes.removeAll()
            if hasContent {
                while current.last == " " { current.removeLast() }
                for s in suffixes { current += s }
            } else {
                // Nothing on the line to trail: the comment gets a line of its
                // own, indented like what follows it (where it reads next time).
                pendingIndent = indent
                for s in suffixes { emit(String(s.drop { $0 == " " })) }
                // A `##` line followed by a declaration would be its doc comment.
                if suffixes.last.map({ $0.drop { $0 == " " }.hasPrefix("##") }) == true { orphanDocStyle = true }
            }
        }
        if hasContent {
            while current.last == " " { current.removeLast() }
            lastLineOpensBlock = codeOpensBlock
            codeOpensBlock = false
            lines.append(current)
            current = ""
            currentWidth = 0
            hasContent = false
            if orphanDocStyle {
                wantBlank = true
                orphanDocStyle = false
            }
        }
        pendingIndent = indent
    }

    /// Prettier's fill: each separator breaks only when the content after it
    /// does not fit; the last content also counts what follows the fill.
    private mutating func layOutFill(_ parts: [Doc], _ cmd: Command, _ stack: inout [Command]) {
        guard let first = parts.first else { return }
        let remaining = width - column
        let contentFlat = Command(indent: cmd.indent, mode: .flat, doc: first)
        let contentBreak = Command(indent: cmd.indent, mode: .breaking, doc: first)
        if parts.count < 3 {
            let fitsFlat = fits([contentFlat], rest: stack, width: remaining)
            stack.append(fitsFlat ? contentFlat : contentBreak)
            return
        }
        let contentFits = fits([contentFlat], rest: [], width: remaining)
        let separator = parts[1]
        let separatorFlat = Command(indent: cmd.indent, mode: .flat, doc: separator)
        let separatorBreak = Command(indent: cmd.indent, mode: .breaking, doc: separator)
        let rest = Command(indent: cmd.indent, mode: cmd.mode, doc: .fill(Array(parts.dropFirst(2))))
        let pair = Command(indent: cmd.indent, mode: .flat, doc: .concat([first, separator, parts[2]]))
        // When the second content is the last, what follows the fill must fit too.
        let pairFits = fits([pair], rest: parts.count == 3 ? stack : [], width: remaining)
        stack.append(rest)
        if pairFits {
            stack.append(separatorFlat)
            stack.append(contentFlat)
        } else if contentFits {
            stack.append(separatorBreak)
            stack.append(contentFlat)
        } else {
            stack.append(separatorBreak)
            stack.append(contentBreak)
        }
    }

    /// Whether `next` laid out flat fits in `width` columns, counting the
    /// rest of the line (from `rest`) up to its next possible line break.
    private func fits(_ next: [Command], rest: [Command], width: Int) -> Bool {
        var remaining = width
        var stack = next.reversed().map { $0 }
        var restIndex = rest.count
        var inRest = false
        while remaining >= 0 {
            guard let cmd = stack.popLast() else {
                if restIndex == 0 { return true }
                restIndex -= 1
                stack.append(rest[restIndex])
                inRest = true
                continue
            }
            switch cmd.doc {
            case .text(let s), .flatOnly(let s):
                if case .flatOnly = cmd.doc, cmd.mode != .flat { continue }
                remaining -= s.count
            case .concat(let parts):
                for p in parts.reversed() { stack.append(Command(indent: cmd.indent, mode: cmd.mode, doc: p)) }
            case .indent(_, let d), .align(let d):
                stack.append(Command(indent: cmd.indent, mode: cmd.mode, doc: d))
            case .group(let d, let broken):
                if broken, !inRest { return false }
                stack.append(Command(indent: cmd.indent, mode: broken ? .breaking : cmd.mode, doc: d))
            case .fill(let parts):
                for p in parts.reversed() { stack.append(Command(indent: cmd.indent, mode: cmd.mode, doc: p)) }
            case .line:
                if cmd.mode == .breaking { return true }
                remaining -= 1
            case .hardline, .blankLine, .ownLineComment, .verbatim:
                return true
            case .lineSuffix:
                continue
            }
        }
        return false
    }
}
