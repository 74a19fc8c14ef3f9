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
    /// them stay together (a list of outcomes, params or imports).
    static func groupable(_ a: Declaration, _ b: Declaration) -> Bool {
        switch (a, b) {
        case (.importDecl, .importDecl), (.outcome, .outcome), (.param, .param), (.letDecl, .letDecl):
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

    // MARK: Areas

    /// area_decl = "area" IDENT [ STRING ] "{" { area_item } "}" ;
    func area(_ a: AreaDecl) {
        head("area", a.header)
        w.text(" ")
        var items = attributeItems(a.header.attributes)
        if let r = a.responsible {
            items.append(clause("responsible ", at: keywordBefore(anchor(r))) { [self] in
                name(r)
            })
        }
        // Entries written after one `municipalities` word form one clause.
        var runs: [[MunicipalityEntry]] = []
        for m in a.municipalities {
            let previous = anchor(m.name).flatMap { src.token(before: $0) }
            if runs.isEmpty || previous?.kind != .comma { runs.append([m]) } else { runs[runs.count - 1].append(m) }
        }
        for run in runs {
            items.append(clause("municipalities ", at: run.first.flatMap { anchor($0.name) }.flatMap { keywordBefore($0) }) { [self] in
                list(run) { [self] m in municipality(m) }
            })
        }
        for g in a.groups {
            items.append(Item(anchor: g.header.span.start) { [self] in group(g) })
        }
        block(items, close: closeBrace(endingAt: a.header.span.end))
    }

    private func municipality(_ m: MunicipalityEntry) {
        name(m.name)
        guard let code = m.code else { return }
        // Written as a string or a number: keep which.
        let codeWord = anchor(m.name).flatMap { _ in src.token(after: m.name.span.end) }
        let codeToken = codeWord.flatMap { src.token(after: $0.end) }
        let text = codeToken?.kind == .number && codeToken?.text == code ? code : Layout.quote(code)
        w.text(" code ")
        w.token(text, at: codeToken?.start)
    }

    private func group(_ g: GroupDecl) {
        head("group", g.header)
        w.text(" =")
        w.group {
            w.indent(2) {
                w.line()
                list(g.members) { [self] n in name(n) }
            }
        }
        clauses(attributeItems(g.header.attributes))
    }

    // MARK: Records and enumerations

    /// record_decl = "record" IDENT [ STRING ] "{" { field | attribute } "}" ;
    func record(_ r: RecordDecl) {
        head("record", r.header)
        w.text(" ")
        var items = attributeItems(r.header.attributes)
        for f in r.fields {
            items.append(Item(anchor: f.header.span.start) { [self] in field(f) })
        }
        block(items, close: closeBrace(endingAt: r.header.span.end))
    }

    /// field = IDENT [ STRING ] ":" type { field_clause } ;
    private func field(_ f: FieldDecl) {
        w.token(f.header.name.text, at: f.header.span.start)
        label(f.header.label)
        // An inline enumeration wraps before `|`, the `|` under the `:` when that
        // column is near enough, else indented.
        var headWidth = 2 + f.header.name.text.count
        if let l = f.header.label { headWidth += 1 + Layout.quote(l).count }
        if headWidth <= 40 {
            w.align {
                w.text(": ")
                type(f.type)
            }
        } else {
            w.text(": ")
            w.indent(4) { type(f.type) }
        }
        var items = attributeItems(f.header.attributes)
        items += columnItems(f)
        // Mappings written in one `values { … }` form one clause.
        var runs: [[ValueMapping]] = []
        for m in f.values {
            let previous = m.span.isKnown ? src.token(before: m.span.start) : nil
            if runs.isEmpty || previous?.kind == .lbrace { runs.append([m]) } else { runs[runs.count - 1].append(m) }
        }
        for run in runs {
            let open = run.first.flatMap { $0.span.isKnown ? src.token(before: $0.span.start) : nil }
            items.append(clause("values { ", at: open.flatMap { src.token(before: $0.start)?.start }) { [self] in
                list(run) { [self] m in valueMapping(m) }
                w.text(" }")
            })
        }
        if let d = f.defaultValue {
            items.append(clause("default ", at: keywordBefore(anchor(d))) { [self] in
                w.align { expr(d) }
            })
        }
        clauses(items)
    }

    private func valueMapping(_ m: ValueMapping) {
        let at = m.span.isKnown ? m.span.start : nil
        let codeToken = at.flatMap { src.token(at: $0) }
        let code = codeToken?.kind == .number && codeToken?.text == m.code ? m.code : Layout.quote(m.code)
        w.token(code + ": ", at: at)
        expr(m.value)
    }

    /// `column "a", "b"` clauses: the tree keeps only the names, so the
    /// clauses are found in the source after the field's type.
    private func columnItems(_ f: FieldDecl) -> [Item] {
        guard !f.columns.isEmpty else { return [] }
        var skip: [Range<Int>] = f.header.attributes.map { $0.span.start..<$0.span.end }
        skip += f.values.map { $0.span.start..<$0.span.end }
        if let d = f.defaultValue { skip.append(d.span.start..<d.span.end) }
        let toks = Array(src.tokens(in: f.type.span.end..<f.header.span.end))
        var runs: [(at: Int, count: Int)] = []
        var k = 0
        while k < toks.count {
            let t = toks[k]
            if t.kind == .identifier, t.text == "column", k + 1 < toks.count, toks[k + 1].kind == .string,
               !skip.contains(where: { $0.contains(t.start) }) {
                var count = 1
                var j = k + 2
                while j + 1 < toks.count, toks[j].kind == .comma, toks[j + 1].kind == .string {
                    count += 1
                    j += 2
                }
                runs.append((t.start, count))
                k = j
            } else {
                k += 1
            }
        }
        if runs.map(\.count).reduce(0, +) != f.columns.count {
            runs = [(runs.first?.at ?? f.type.span.end, f.columns.count)]
        }
        var items: [Item] = []
        var next = 0
        for run in runs {
            let names = Array(f.columns[next..<next + run.count])
            next += run.count
            items.append(Item(anchor: run.at) { [self] in
                w.token("column ", at: run.at)
                list(names) { [self] n in w.text(Layout.quote(n)) }
            })
        }
        return items
    }

    /// enum_decl = "enum" IDENT [ STRING ] "{" { IDENT [ STRING ] [ "," ] | attribute } "}" ;
    func enumDecl(_ e: EnumDecl) {
        head("enum", e.header)
        w.text(" ")
        var items = attributeItems(e.header.attributes)
        for v in e.values {
            items.append(Item(anchor: anchor(v.name)) { [self] in
                name(v.name)
                label(v.label)
            })
        }
        block(items, close: closeBrace(endingAt: e.header.span.end))
    }

    // MARK: Outcomes, params, lets

    /// outcome_decl = "outcome" kind IDENT [ STRING ] [ "to" destination { "," destination } ] { attribute } ;
    func outcome(_ o: OutcomeDecl) {
        // Two tokens, so that a comment between the keyword and the kind stays there.
        w.token("outcome ", at: o.header.span.start)
        w.token(o.kind.rawValue + " ", at: keywordBefore(anchor(o.header.name)))
        name(o.header.name)
        label(o.header.label)
        if let first = o.destinations.first {
            let at = keywordBefore(anchor(first.name))
            w.group {
                w.indent(2) {
                    w.line()
                    w.token("to ", at: at)
                    list(o.destinations) { [self] d in
                        name(d.name)
                        label(d.label)
                    }
                }
            }
        }
        clauses(attributeItems(o.header.attributes))
    }

    /// param_decl = "param" IDENT [ STRING ] [ ":" type ] "=" expr { "from" DATE "=" expr | attribute | "overrides" } ;
    func param(_ p: ParamDecl) {
        head("param", p.header)
        if let t = p.type {
            w.text(": ")
            type(t)
        }
        definition(p.value)
        var items = attributeItems(p.header.attributes)
        for d in p.dated {
            items.append(clause("from ", at: d.span.isKnown ? d.span.start : nil) { [self] in
                expr(d.from)
                definition(d.value)
            })
        }
        if p.overrides { items.append(overridesItem(p.header)) }
        clauses(items)
    }

    /// let_decl = "let" IDENT [ STRING ] "=" expr { attribute | "overrides" } ;
    func letDecl(_ l: LetDecl) {
        head("let", l.header)
        definition(l.value)
        var items = attributeItems(l.header.attributes)
        if l.overrides { items.append(overridesItem(l.header)) }
        clauses(items)
    }

    /// A bare `overrides` clause, found in the source (the tree keeps a flag).
    private func overridesItem(_ h: DeclHeader) -> Item {
        let at = src.tokens(in: h.span.start..<h.span.end).last { $0.kind == .keyword(.overrides) }?.start
        return Item(anchor: at) { [self] in w.token("overrides", at: at) }
    }

    // MARK: Rules

    /// rule_decl = "rule" IDENT [ STRING ] { rule_clause } ;
    func rule(_ r: RuleDecl) {
        head("rule", r.header)
        var items = attributeItems(r.header.attributes)
        if let scope = r.scope, let first = scope.first {
            items.append(clause("in ", at: keywordBefore(anchor(first))) { [self] in
                list(scope) { [self] n in name(n) }
            })
        }
        if let c = r.condition {
            items.append(clause("when ", at: keywordBefore(anchor(c))) { [self] in
                expr(c)
            })
        }
        for x in r.exceptions {
            items.append(clause("unless ", at: x.span.isKnown ? x.span.start : nil) { [self] in
                expr(x.condition)
                label(x.label)
            })
        }
        let thenAt = r.outcomes.first.flatMap { $0.span.isKnown ? keywordBefore($0.span.start) : nil }
            ?? thenNothing(in: r.header.span)
        // `then` must stay before the variants, whatever the source tells.
        let thenOrder = thenAt ?? r.variants.first.map { $0.span.start } ?? r.header.span.end
        items.append(Item(anchor: thenOrder) { [self] in
            w.token("then ", at: thenAt)
            outcomes(r.outcomes)
        })
        for v in r.variants {
            let at = v.span.isKnown ? v.span.start : nil
            items.append(Item(anchor: at) { [self] in variant(v) })
        }
        if let d = r.effectiveFrom {
            items.append(clause("from ", at: keywordBefore(anchor(d))) { [self] in
                expr(d)
            })
        }
        if let d = r.effectiveUntil {
            items.append(clause("until ", at: keywordBefore(anchor(d))) { [self] in
                expr(d)
            })
        }
        if let o = r.overrides {
            if r.overridesSameName {
                items.append(Item(anchor: anchor(o)) { [self] in w.token("overrides", at: anchor(o)) })
            } else {
                items.append(clause("overrides ", at: keywordBefore(anchor(o))) { [self] in
                    name(o)
                })
            }
        }
        if let first = r.over.first {
            items.append(clause("over ", at: keywordBefore(anchor(first))) { [self] in
                list(r.over) { [self] n in name(n) }
            })
        }
        clauses(items)
    }

    /// The `then` of `then nothing` (not a variant's, which follows `:`).
    private func thenNothing(in span: Span) -> Int? {
        let toks = Array(src.tokens(in: span.start..<span.end))
        for (k, t) in toks.enumerated() where t.kind == .keyword(.then) {
            if k + 1 < toks.count, toks[k + 1].kind == .keyword(.nothing), k == 0 || toks[k - 1].kind != .colon {
                return t.start
            }
        }
        return nil
    }

    /// variant = "in" scope [ "over" scope ] [ "when" expr ] ":" "then" outcomes ;
    private func variant(_ v: Variant) {
        w.group {
            w.token("in ", at: v.span.isKnown ? v.span.start : nil)
            list(v.scope) { [self] n in name(n) }
            if let first = v.over.first {
                w.token(" over ", at: keywordBefore(anchor(first)))
                list(v.over) { [self] n in name(n) }
            }
            if let c = v.condition {
                // A condition that does not fit goes on the next line, under the variant's `then`.
                w.indent(2) {
                    w.line()
                    w.token("when ", at: keywordBefore(anchor(c)))
                    expr(c)
                }
            }
        }
        w.text(":")
        let toks = Array(src.tokens(in: v.span.start..<v.span.end))
        var thenAt: Int?
        for (k, t) in toks.enumerated() where t.kind == .keyword(.then) && k > 0 && toks[k - 1].kind == .colon {
            thenAt = t.start
        }
        w.indent(2) {
            w.hardline()
            w.token("then ", at: thenAt)
            outcomes(v.outcomes)
        }
    }

    /// outcomes = "nothing" | outcome_ref { "," ( outcome_ref | IDENT [ "to" IDENT ] ) } ;
    /// A kind the same as the previous one's is left out.
    private func outcomes(_ refs: [OutcomeRef]) {
        guard !refs.isEmpty else {
            w.text("nothing")
            return
        }
        list(Array(refs.enumerated())) { [self] pair in
            let (i, ref) = pair
            outcomeRef(ref, kind: i == 0 || refs[i - 1].kind != ref.kind)
        }
    }

    func outcomeRef(_ ref: OutcomeRef, kind: Bool = true) {
        let at = ref.span.isKnown ? ref.span.start : nil
        w.token((kind ? ref.kind.rawValue + " " : "") + ref.name.text, at: at)
        if let d = ref.destination {
            w.text(" to ")
            name(d)
        }
    }

    // MARK: Goals

    /// goal_decl = "goal" IDENT [ STRING ] { "level" IDENT | "for" period | attribute } "{" { target_decl } "}" ;
    func goal(_ g: GoalDecl) {
        w.group {
            w.token("goal ", at: g.header.span.start)
            name(g.header.name)
            if let l = g.header.label {
                // The label moves to a line of its own when it does not fit on the head line.
                w.group {
                    w.indent(2) {
                        w.line()
                        w.text(Layout.quote(l))
                    }
                }
            }
            var items: [Item] = []
            if let l = g.level {
                items.append(clause("level ", at: keywordBefore(anchor(l))) { [self] in
                    name(l)
                })
            }
            if let p = g.period {
                items.append(clause("for ", at: keywordBefore(anchor(p))) { [self] in
                    expr(p)
                })
            }
            headClauses(items, attributes: g.header.attributes)
        }
        let heads = g.targets.map(targetParts)
        // A goal's targets are a table: their comparisons line up when every
        // head is short and every aligned line fits.
        let headWidth = heads.map(\.head).max() ?? 0
        let aligned = heads.count >= 2 && headWidth <= Layout.alignedTargetHead
            && heads.allSatisfy { 2 + headWidth + 1 + $0.tail <= Formatter.width }
        let items = zip(g.targets, heads).map { t, parts in
            Item(anchor: t.header.span.start) { [self] in
                target(t, padding: aligned ? headWidth - parts.head : 0)
            }
        }
        block(items, close: closeBrace(endingAt: g.header.span.end))
    }

    /// The clauses of a head that ends in `{` (a goal's, a fixture's): on
    /// the head line, or, when they do not fit or there are attributes,
    /// each on a line of its own with the `{` on a line of its own.
    func headClauses(_ inline: [Item], attributes: [Attribute]) {
        let attrs = Set(attributes.compactMap { $0.span.isKnown ? $0.span.start : nil })
        w.group {
            w.indent(2) {
                for item in sorted(inline + attributeItems(attributes)) {
                    if let a = item.anchor, attrs.contains(a) { w.hardline() } else { w.line() }
                    if let a = item.anchor { w.flushComments(before: a) }
                    item.print()
                }
            }
            w.line()
        }
    }

    /// Targets whose `target name "label"` takes at most this many columns
    /// may have their comparisons aligned.
    static let alignedTargetHead = 60

    /// The widths of a target's head (`target name "label"`) and of the rest of its first line.
    private func targetParts(_ t: TargetDecl) -> (head: Int, tail: Int) {
        var head = "target ".count + t.header.name.text.count
        if let l = t.header.label { head += 1 + Layout.quote(l).count }
        let m = Layout(measuring: src)
        m.targetComparison(t)
        var printer = DocPrinter(width: Int.max / 4)
        let tail = printer.print(m.w.doc()).split(separator: "\n").map(\.count).reduce(0, +)
        return (head, tail)
    }

    /// target_decl = "target" IDENT [ STRING ] ( comparison_op target_value [ unit ] [ "per" "year" ]
    ///               | "assessed" [ STRING ] ) { target_clause } ;
    /// The comparison goes on the next line when it does not fit on the head's.
    private func target(_ t: TargetDecl, padding: Int) {
        w.group {
            head("target", t.header)
            w.indent(2) {
                w.flatOnly(String(repeating: " ", count: padding))
                w.line()
                targetComparison(t)
            }
        }
        var items = attributeItems(t.header.attributes)
        if let l = t.level {
            items.append(clause("level ", at: keywordBefore(anchor(l))) { [self] in
                name(l)
            })
        }
        if let b = t.baseline {
            items.append(clause("baseline ", at: b.span.isKnown ? b.span.start : nil) { [self] in
                if let text = b.text {
                    w.text(Layout.quote(text))
                } else if let v = b.value {
                    expr(v)
                    unitLabel(b.unitLabel, after: v)
                }
                if let p = b.period {
                    w.text(" in ")
                    expr(p)
                }
            })
        }
        if let p = t.period {
            items.append(clause("for ", at: keywordBefore(anchor(p))) { [self] in
                expr(p)
            })
        }
        switch t.source {
        case .measured(let e):
            items.append(clause("measured ", at: keywordBefore(anchor(e))) { [self] in
                expr(e)
            })
        case .reported:
            // Reported is the default: printed only where the source says it.
            let toks = Array(src.tokens(in: t.header.span.start..<t.header.span.end))
            for (k, tok) in toks.enumerated() where tok.kind == .identifier && tok.text == "reported" && k > 0 {
                let before = toks[k - 1]
                if before.kind == .keyword(.target) || (before.kind == .identifier && before.text == "level") { continue }
                items.append(Item(anchor: tok.start) { [self] in w.token("reported", at: tok.start) })
                break
            }
        }
        clauses(items)
    }

    /// `>= 75 %`, `<= 130 "asiakasta/htv"`, `> 600 hlöä per year`, `assessed "valmis"`.
    func targetComparison(_ t: TargetDecl) {
        if t.isQualitative {
            w.text("assessed")
            if let q = t.qualitative { w.text(" " + Layout.quote(q)) }
        } else if let op = t.comparison, let v = t.value {
            let at = anchor(v).flatMap { src.token(before: $0)?.start }
            w.token(op.rawValue + " ", at: at)
            expr(v)
            unitLabel(t.unitLabel, after: v)
            if t.perYear { w.text(" per year") }
        }
    }

    /// A target's own unit (`hlöä`, `"asiakasta/htv"`), quoted as in the source.
    private func unitLabel(_ unit: String?, after value: Expr) {
        guard let unit else { return }
        let tok = value.span.isKnown ? src.token(after: value.span.end) : nil
        let bare: Bool
        if let tok, tok.text == unit, tok.kind == .identifier || tok.kind == .string {
            bare = tok.kind == .identifier
        } else {
            bare = false
        }
        w.text(" ")
        w.token(bare ? unit : Layout.quote(unit), at: tok?.start)
    }

    // MARK: Verdicts and report

    /// verdicts_decl = "verdicts" "{" { verdict_item } "}" ;
    func verdicts(_ v: VerdictsDecl) {
        w.token("verdicts ", at: v.span.start)
        let items = v.items.map { item -> Item in
            switch item {
            case .near(let amount, let points, let forPercentages, let span):
                return Item(anchor: span.start) { [self] in
                    w.token("near within ", at: span.start)
                    if points {
                        w.token(literal(amount.span, fallback: Layout.numberText(amount)) + " points", at: anchor(amount))
                    } else {
                        w.token(literal(amount.span, fallback: Layout.numberText(amount) + " %"), at: anchor(amount))
                    }
                    if let p = forPercentages { w.text(p ? " for percentages" : " for others") }
                }
            case .prorate(let perYear, let span):
                return Item(anchor: span.start) { [self] in
                    w.token(perYear ? "prorate per year" : "prorate none", at: span.start)
                }
            case .assessment(let n, let l, let status, let span):
                return Item(anchor: span.start) { [self] in
                    w.token("assessment ", at: span.start)
                    name(n)
                    label(l)
                    w.text(" counts as " + status.rawValue)
                }
            case .goal(let l, let condition, let span):
                return Item(anchor: span.start) { [self] in
                    w.token("goal " + (l.map(Layout.quote) ?? "none"), at: span.start)
                    if let c = condition {
                        w.text(" when ")
                        goalCondition(c)
                    } else {
                        w.text(" otherwise")
                    }
                }
            }
        }
        block(items, close: closeBrace(endingAt: v.span.end))
    }

    private static func numberText(_ e: Expr) -> String {
        if case .number(let t) = e.kind { return t }
        return "0"
    }

    private func goalCondition(_ c: GoalCondition) {
        for (i, conj) in c.anyOf.enumerated() {
            if i > 0 { w.text(" or ") }
            for (j, atom) in conj.enumerated() {
                if j > 0 { w.text(" and ") }
                // The words as written (`target is` or `targets are`, `has` or `have`).
                let words = atom.span.isKnown ? src.tokens(in: atom.span.start..<atom.span.end).map(\.text) : []
                let text: String
                if words.count == 4 {
                    text = words.joined(separator: " ")
                } else if let s = atom.status {
                    text = atom.quantifier.rawValue + " target is " + s.rawValue
                } else {
                    text = atom.quantifier.rawValue + " target has data"
                }
                w.token(text, at: atom.span.isKnown ? atom.span.start : nil)
            }
        }
    }

    /// report_decl = "report" "{" { report_item } "}" ;
    func report(_ r: ReportDecl) {
        w.token("report ", at: r.span.start)
        // The tree keeps the settings, not where they stand: find the last of each in the source.
        let toks = Array(src.tokens(in: r.span.start..<r.span.end))
        func find(_ first: String, _ second: String) -> Int? {
            var found: Int?
            for k in 0..<max(0, toks.count - 1) where toks[k].kind == .identifier && toks[k].text == first {
                if toks[k + 1].text == second { found = toks[k].start }
            }
            return found
        }
        var items: [Item] = []
        if let e = r.suppressBelow {
            items.append(clause("suppress below ", at: find("suppress", "below")) { [self] in
                expr(e)
            })
        }
        if let s = r.sampleClients {
            let at = find("sample", "clients")
            items.append(Item(anchor: at) { [self] in w.token("sample clients " + Layout.quote(s), at: at) })
        }
        if let s = r.sampleActuals {
            let at = find("sample", "actuals")
            items.append(Item(anchor: at) { [self] in w.token("sample actuals " + Layout.quote(s), at: at) })
        }
        if let d = r.sampleAsOf {
            items.append(clause("sample as_of ", at: find("sample", "as_of")) { [self] in
                expr(d)
            })
        }
        if let p = r.samplePeriod {
            items.append(clause("sample period ", at: find("sample", "period")) { [self] in
                expr(p)
            })
        }
        block(items, close: closeBrace(endingAt: r.span.end))
    }
}
