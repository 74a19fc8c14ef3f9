import Linja

/// Writes the formatter's command list and puts every comment of the file
/// into it exactly once.
///
/// Each piece of text written is matched, token by token, with the source's
/// tokens, following a cursor (an anchor, the offset where a construct
/// starts, moves the cursor there; parentheses and commas the source has
/// and the output leaves out are stepped over). A comment then goes where
/// its neighbour token went:
/// - a comment on a line of its own goes on a line of its own right before
///   the text matched with the token after it;
/// - a comment after code goes at the end of the line of the text matched
///   with the token before it, and the line breaks there (past any groups
///   that end with that text), so two such comments can never share a line.
/// A comment whose neighbour token is not printed goes with the nearest
/// printed one; `finish` writes whatever is left, so none can be lost.
final class DocWriter {
    private(set) var commands: [DocCommand] = []
    private let source: SourceIndex?
    private let tokens: [Token]
    private let comments: [Comment]
    /// For each comment, the index of the source token it follows (-1 before the first).
    private let follows: [Int]
    private var nextComment = 0
    /// The index of the next source token the output is expected to match.
    private var cursor = 0
    /// Trailing comments of the last text written, put in before the next command that is not an end marker.
    private var pendingTrailing: [String] = []
    /// Where in `commands` the last matched text (or comment) ends.
    private var afterMatched = 0
    private var kindCache: [String: [TokenKind]] = [:]

    /// A writer for `source`'s comments, or (with nil) one that places none:
    /// for measuring text such as table cells.
    init(source: SourceIndex?) {
        self.source = source
        self.tokens = source?.tokens ?? []
        let comments = source?.comments ?? []
        self.comments = comments
        var follows: [Int] = []
        var j = 0
        for c in comments {
            while j < tokens.count, tokens[j].end <= c.start { j += 1 }
            follows.append(j - 1)
        }
        self.follows = follows
    }

    // MARK: Commands

    private func append(_ c: DocCommand) {
        switch c {
        case .groupEnd, .indentEnd, .alignEnd, .indentBegin, .alignBegin:
            // Trailing comments wait for what comes next, so the line break
            // after them takes the indentation of the next line.
            break
        default:
            if !pendingTrailing.isEmpty {
                let pending = pendingTrailing
                pendingTrailing.removeAll()
                if lineEndedByStrayComment {
                    // A comment trails that line already: these stand on lines
                    // of their own, after the break, where the next formatting
                    // would put them (before what follows).
                    switch c {
                    case .hardline, .blankLine:
                        commands.append(c)
                        for t in pending { ownLineOfItsOwn(t) }
                        return
                    default:
                        for t in pending { ownLineOfItsOwn(t) }
                    }
                } else {
                    for t in pending { commands.append(.lineSuffix(" " + t)) }
                    commands.append(.hardline)
                }
            }
        }
        commands.append(c)
    }

    /// A comment that trailed code in the source, written on a line of its
    /// own: a `##` one is followed by a blank line, or it would read as the
    /// doc comment of a declaration after it.
    private func ownLineOfItsOwn(_ text: String) {
        commands.append(.ownLineComment(text))
        if text.hasPrefix("##") { commands.append(.blankLine) }
    }

    /// Whether the last line written ends with a stray trailing comment
    /// (`writeStrayTrailing`), so nothing more can trail it.
    private var lineEndedByStrayComment: Bool {
        var i = commands.count - 1
        while i >= 0 {
            switch commands[i] {
            case .groupEnd, .indentEnd, .alignEnd: i -= 1
            case .hardline: return i > 0 && { if case .lineSuffix = commands[i - 1] { return true } else { return false } }()
            default: return false
            }
        }
        return false
    }

    /// Text that stands for source tokens: matched with them from the cursor.
    func text(_ s: String) {
        write(s, forced: nil)
    }

    /// Text for the construct starting at `offset` in the source: the cursor moves there first.
    func token(_ s: String, at offset: Int?) {
        if let offset, let src = source { cursor = src.firstIndex(atOrAfter: offset) }
        write(s, forced: nil)
    }

    /// Text that stands for exactly the source token starting at `offset`.
    func text(_ s: String, standingFor offset: Int?) {
        guard let offset, let src = source, let t = src.token(at: offset) else {
            write(s, forced: nil)
            return
        }
        write(s, forced: src.firstIndex(atOrAfter: t.start))
    }

    private func write(_ s: String, forced: Int?) {
        guard source != nil else {
            append(.text(s))
            return
        }
        var matched: [Int] = []
        if let forced {
            matched = [forced]
            cursor = forced + 1
        } else {
            for k in printedKinds(s) {
                if let m = match(k) {
                    matched.append(m)
                    cursor = m + 1
                }
            }
        }
        guard let first = matched.first, let last = matched.last else {
            append(.text(s))
            return
        }
        flushComments(beforeToken: first)
        // Comments among the matched tokens go on lines of their own before
        // the text; a comment after its last token, at the end of its line.
        var trailing: String?
        while nextComment < comments.count, follows[nextComment] <= last {
            let c = comments[nextComment]
            if c.ownLine && follows[nextComment] == last { break }
            nextComment += 1
            if !c.ownLine && follows[nextComment - 1] == last {
                trailing = Self.trimmed(c.text)
            } else {
                writeOwnLine(c)
            }
        }
        append(.text(s))
        afterMatched = commands.count
        if let trailing { pendingTrailing.append(trailing) }
    }

    /// The kinds of the tokens a piece of output text holds.
    private func printedKinds(_ s: String) -> [TokenKind] {
        if let k = kindCache[s] { return k }
        let kinds = Lexer.lex(SourceFile(path: "<out>", text: s)).tokens.map(\.kind).filter { $0 != .eof }
        kindCache[s] = kinds
        return kinds
    }

    /// The source token, from the cursor, that a printed token stands for:
    /// parentheses and commas only the source has are stepped over.
    private func match(_ k: TokenKind) -> Int? {
        var j = cursor
        while j < tokens.count, j - cursor <= 8 {
            let t = tokens[j]
            if Self.equivalent(t.kind, k) { return j }
            switch t.kind {
            case .lparen, .rparen, .comma: j += 1
            default: return nil
            }
        }
        return nil
    }

    private static func equivalent(_ a: TokenKind, _ b: TokenKind) -> Bool {
        switch (a, b) {
        case (.eq, .eqeq), (.eqeq, .eq): return true
        case (.duration, .duration), (.money, .money): return true
        default: return a == b
        }
    }

    func line() { append(.line) }
    func hardline() { append(.hardline) }
    func blankLine() { append(.blankLine) }
    func flatOnly(_ s: String) { append(.flatOnly(s)) }
    func verbatim(_ lines: [String]) { append(.verbatim(lines)) }

    func group(_ body: () -> Void) {
        append(.groupBegin)
        body()
        append(.groupEnd)
    }

    func indent(_ n: Int = 2, _ body: () -> Void) {
        append(.indentBegin(n))
        body()
        append(.indentEnd)
    }

    /// Lines broken inside `body` start at the column where `body` starts.
    func align(_ body: () -> Void) {
        append(.alignBegin)
        body()
        append(.alignEnd)
    }

    /// Items separated by lines that break only where the next item does not fit.
    func fill(_ items: [() -> Void]) {
        append(.fillBegin)
        for item in items {
            append(.fillItemBegin)
            item()
            append(.fillItemEnd)
        }
        append(.fillEnd)
    }

    // MARK: Comments

    /// Whether a comment stands before `offset` that has not been written yet.
    func hasComments(before offset: Int) -> Bool {
        nextComment < comments.count && comments[nextComment].start < offset
    }

    /// Where the leading part of the item at `offset` starts: its first
    /// own-line comment still to be written, else the offset itself.
    func leadingStart(of offset: Int) -> Int {
        var k = nextComment
        while k < comments.count, comments[k].start < offset {
            if comments[k].ownLine { return comments[k].start }
            k += 1
        }
        return offset
    }

    /// Whether the source has an empty line right before `offset`.
    func blankLineInSource(before offset: Int) -> Bool {
        source?.blankLine(before: offset) ?? false
    }

    /// Writes the comments that stand before the source token `index`.
    private func flushComments(beforeToken index: Int) {
        var wroteOwnLine = false
        var displacedDocStyle = false
        while nextComment < comments.count, follows[nextComment] < index {
            let c = comments[nextComment]
            let displaced = follows[nextComment] + 1 < index
            nextComment += 1
            if c.ownLine {
                writeOwnLine(c)
                wroteOwnLine = true
                // A `##` line that stood before tokens not printed (a closing
                // parenthesis) is not the doc comment of what now follows it.
                displacedDocStyle = displaced && c.isDoc
            } else {
                writeStrayTrailing(c)
            }
        }
        if wroteOwnLine, index < tokens.count, displacedDocStyle || blankLineInSource(before: tokens[index].start) {
            append(.blankLine)
        }
    }

    /// Writes the comments that stand before `offset`. A blank line in the
    /// source after the last one is kept when `blankAfter` allows it.
    func flushComments(before offset: Int, blankAfter: Bool = true) {
        var wroteOwnLine = false
        while nextComment < comments.count, comments[nextComment].start < offset {
            let c = comments[nextComment]
            nextComment += 1
            if c.ownLine {
                writeOwnLine(c)
                wroteOwnLine = true
            } else {
                writeStrayTrailing(c)
            }
        }
        if wroteOwnLine, blankAfter, offset < Int.max, blankLineInSource(before: offset) {
            append(.blankLine)
        }
    }

    private func writeOwnLine(_ c: Comment) {
        if blankLineInSource(before: c.start) { append(.blankLine) }
        append(.ownLineComment(Self.trimmed(c.text)))
        afterMatched = commands.count
    }

    /// A trailing comment whose token was not printed: at the end of the
    /// line of the last text matched, the line breaking there.
    private func writeStrayTrailing(_ c: Comment) {
        var at = min(afterMatched, commands.count)
        scan: while at < commands.count {
            switch commands[at] {
            case .groupEnd, .indentEnd, .alignEnd: at += 1
            default: break scan
            }
        }
        if at > 0, at <= commands.count, case .hardline = commands[at - 1] {
            // That line has a stray comment already: this one would stand on a
            // line of its own there, where the next formatting would take it
            // for a comment before what follows. Written there at once.
            ownLineOfItsOwn(Self.trimmed(c.text))
            afterMatched = commands.count
            return
        }
        commands.insert(contentsOf: [.lineSuffix(" " + Self.trimmed(c.text)), .hardline], at: at)
        afterMatched = at + 2
    }

    /// Writes every comment not yet written (at the end of the file).
    func finish() {
        flushComments(before: Int.max, blankAfter: false)
        append(.hardline)
    }

    /// A comment without trailing white space.
    static func trimmed(_ s: String) -> String {
        var t = Substring(s)
        while let last = t.last, last == " " || last == "\t" { t = t.dropLast() }
        return String(t)
    }

    /// The tree of what was written.
    func doc() -> Doc {
        Doc.build(commands)
    }
}
