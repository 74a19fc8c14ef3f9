import Linja

/// Turns one parsed file into the formatter's commands: one method per
/// construct, in the order of the grammar. Clauses and block items are
/// printed in source order (the syntax tree keeps them in separate fields;
/// their offsets give the order back), so nothing moves across a comment.
final class Layout {
    let w: DocWriter
    let src: SourceIndex
    /// The most operands of one operator chain (`a and b and …`, `a.b.c`) met:
    /// past `Formatter.longestChain` the syntax tree is too deep to compare safely.
    var longestChain = 0

    init(source: SourceIndex) {
        self.src = source
        self.w = DocWriter(source: source)
    }

    /// A layout that places no comments, for measuring (table cells).
    init(measuring source: SourceIndex) {
        self.src = source
        self.w = DocWriter(source: nil)
    }

    /// An item of a block or clause list: where it starts in the source, and how it prints.
    struct Item {
        var anchor: Int?
        var print: () -> Void
    }

    /// A clause that opens with a keyword (`default …`, `as_of …`): an item
    /// anchored at the keyword's token, where its comments belong.
    func clause(_ keyword: String, at: Int?, _ print: @escaping () -> Void) -> Item {
        Item(anchor: at) { [self] in
            w.token(keyword, at: at)
            print()
        }
    }

    // MARK: File

    func file(_ decls: [Declaration]) {
        var previous: Declaration?
        for d in decls {
            let start = d.span.start
            if let p = previous {
                let lead = w.leadingStart(of: start)
                let hugsPrevious = lead < start && !w.blankLineInSource(before: lead) && w.blankLineInSource(before: start)
                if Layout.groupable(p, d) && !w.blankLineInSource(before: lead) || hugsPrevious {
                    // Comments right under a declaration, then a blank line:
                    // they stay under it, and the blank line follows them.
                    w.hardline()
                } else {
                    w.blankLine()
                }
            }
            declaration(d)
            previous = d
        }
        w.hardline()
        w.finish()
    }

    /// One-line declarations of one kind written without a blank line between
    /// them stay together (a list of outcomes, params, units or imports).
    static func groupable(_ a: Declaration, _ b: Declaration) -> Bool {
        switch (a, b) {
        case (.importDecl, .importDecl), (.outcome, .outcome), (.param, .param), (.letDecl, .letDecl), (.unit, .unit):
            return true
        default:
            return false
        }
    }

    func declaration(_ d: Declaration) {
        switch d {
        case .importDecl(let i):
            w.token("import ", at: i.span.start)
            w.text(Layout.quote(i.path))
        case .area(let a): area(a)
        case .record(let r): record(r)
        case .enumDecl(let e): enumDecl(e)
        case .outcome(let o): outcome(o)
        case .param(let p): param(p)
        case .letDecl(let l): letDecl(l)
        case .rule(let r): rule(r)
        case .goal(let g): goal(g)
        case .verdicts(let v): verdicts(v)
        case .report(let r): report(r)
        case .unit(let u): unit(u)
        case .test(let t): test(t)
        case .fixture(let f): fixture(f)
        }
    }

    // MARK: Shared shapes

    /// `keyword name "label"`.
    func head(_ keyword: String, _ h: DeclHeader) {
        w.token(keyword + " ", at: h.span.start)
        name(h.name)
        label(h.label)
    }

    func label(_ l: String?) {
        if let l { w.text(" " + Layout.quote(l)) }
    }

    func attributeItems(_ attrs: [Attribute]) -> [Item] {
        attrs.map { a in
            Item(anchor: a.span.isKnown ? a.span.start : nil) { [self] in
                w.token(a.kind.rawValue + " ", at: a.span.isKnown ? a.span.start : nil)
                w.text(Layout.quote(a.text))
            }
        }
    }

    /// Items sorted into source order (items without an offset keep their place at the end).
    func sorted(_ items: [Item]) -> [Item] {
        items.enumerated().sorted { l, r in
            switch (l.element.anchor, r.element.anchor) {
            case let (a?, b?): return a != b ? a < b : l.offset < r.offset
            case (_?, nil): return true
            case (nil, _?): return false
            case (nil, nil): return l.offset < r.offset
            }
        }.map(\.element)
    }

    /// Continuation clauses, each on a line of its own, indented under the declaration.
    func clauses(_ items: [Item]) {
        guard !items.isEmpty else { return }
        w.indent(2) {
            for item in sorted(items) {
                w.hardline()
                if let a = item.anchor { w.flushComments(before: a) }
                item.print()
            }
        }
    }

    /// `{ … }` with one item a line, indented; a blank line between items
    /// is kept where the source has one. `close` is the offset of `}`.
    func block(_ items: [Item], close: Int?) {
        let closeAt = close ?? Int.max
        if items.isEmpty && (close == nil || !w.hasComments(before: closeAt)) {
            w.text("{}")
            return
        }
        w.text("{")
        w.indent(2) {
            for (i, item) in sorted(items).enumerated() {
                w.hardline()
                if i > 0, let a = item.anchor, w.blankLineInSource(before: w.leadingStart(of: a)) {
                    w.blankLine()
                }
                if let a = item.anchor { w.flushComments(before: a) }
                item.print()
            }
            if close != nil { w.flushComments(before: closeAt, blankAfter: false) }
        }
        w.hardline()
        w.token("}", at: close)
    }

    /// The offset of the `}` that ends at `end` (a declaration's span ends with it).
    func closeBrace(endingAt end: Int) -> Int? {
        guard let t = src.token(before: end), t.kind == .rbrace, t.end == end else { return nil }
        return t.start
    }

    /// A comma-separated list that wraps where it must, its later lines
    /// aligned with its first item.
    func list<T>(_ xs: [T], _ each: @escaping (T) -> Void) {
        w.align {
            w.fill(xs.enumerated().map { i, x in
                { [self] in
                    each(x)
                    if i < xs.count - 1 { w.text(",") }
                }
            })
        }
    }

    /// `= expr` after a head: on the head's line when it fits, else on the
    /// next line, indented.
    func definition(_ value: Expr) {
        w.text(" =")
        w.group {
            w.indent(2) {
                w.line()
                expr(value)
            }
        }
    }

    func type(_ t: TypeExpr) {
        switch t {
        case .named(let n): name(n)
        case .optional(let inner, _):
            type(inner)
            w.text("?")
        case .setOf(let inner, let s):
            w.token("set of ", at: s.isKnown ? s.start : nil)
            type(inner)
        case .inlineEnum(let values, _):
            w.fill(values.enumerated().map { i, v in
                { [self] in
                    if i > 0 { w.text("| ") }
                    name(v.name)
                    label(v.label)
                }
            })
        }
    }
}
