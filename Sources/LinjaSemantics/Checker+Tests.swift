import LinjaBase
import LinjaSyntax
import LinjaModel

/// Fixtures and test blocks: client values typed against the record,
/// expectations resolved to outcomes, lets, targets and goals.
extension Checker {
    func checkTests() {
        guard let rec = record else {
            for t in testDecls where t.unit == localUnit && !t.node.clients.isEmpty {
                diags.error(.testForm, "a test with clients needs a record", at: t.node.nameSpan)
            }
            return
        }
        // Fixtures, each once, bases first.
        var resolved: [String: [Value?]] = [:]
        var resolving: Set<String> = []
        func fixtureValues(_ name: String, usedAt: Span) -> [Value?]? {
            if let v = resolved[name] { return v }
            guard let d = fixtureDecls[name] else {
                diags.error(.unknownName, "unknown fixture `\(name)`", at: usedAt,
                            help: suggestion(name, among: Array(fixtureDecls.keys)))
                return nil
            }
            guard resolving.insert(name).inserted else {
                diags.error(.cyclicDefinition, "fixture `\(name)` is based on itself", at: usedAt)
                return nil
            }
            defer { resolving.remove(name) }
            var values: [Value?] = rec.fields.map(\.defaultValue)
            if let b = d.node.base {
                guard let bv = fixtureValues(b.text, usedAt: b.span) else { return nil }
                for (i, v) in bv.enumerated() where v != nil { values[i] = v }
            }
            apply(d.node.fields, to: &values, what: "fixture `\(name)`")
            resolved[name] = values
            fixtures.append(Fixture(name: name, label: d.node.header.label, base: d.node.base?.text,
                                    fields: d.node.fields.compactMap { f in
                                        guard let slot = fieldIndex[f.field.text], let v = values[slot] else { return nil }
                                        return (slot, v, f.span)
                                    }, span: d.node.header.span))
            return values
        }
        for (name, d) in sortedByOrder(fixtureDecls, "fixture") { _ = fixtureValues(name, usedAt: d.node.header.name.span) }

        for d in testDecls {
            let t = d.node
            var clients: [TestClient] = []
            for c in t.clients {
                var values: [Value?] = rec.fields.map(\.defaultValue)
                if let b = c.base {
                    if let bv = fixtureValues(b.text, usedAt: b.span) {
                        for (i, v) in bv.enumerated() where v != nil { values[i] = v }
                    }
                }
                apply(c.fields, to: &values, what: "this client")
                clients.append(TestClient(name: c.name?.text, values: complete(values, rec, at: c.span), span: c.span))
            }
            var asOf: Day?
            if let a = t.asOf, case .date(let s) = a.kind { asOf = Day.parse(Substring(s)) }
            let period = t.period.flatMap(periodValue)
            var actuals: [TestActual] = []
            for a in t.actuals {
                guard let tid = targetIndex[a.target.text] else {
                    diags.error(.unknownTarget, "unknown target `\(a.target.text)`", at: a.target.span,
                                help: suggestion(a.target.text, among: Array(targetIndex.keys)))
                    continue
                }
                let target = targets[tid]
                if case .name(let n) = a.value.kind, verdicts?.assessments.contains(where: { $0.name == n }) ?? false {
                    actuals.append(TestActual(target: tid, value: nil, assessment: n, note: a.note, span: a.span))
                    continue
                }
                if target.qualitative {
                    diags.error(.testForm, "target `\(target.name)` is qualitative: give an assessment", at: a.value.span,
                                help: verdicts.map { "the assessments are \($0.assessments.map { "`\($0.name)`" }.joined(separator: ", "))" })
                    continue
                }
                guard let v = constantValue(a.value, as: nil, what: "the actual of `\(target.name)`") else { continue }
                if unit(of: v) != target.unit, !(target.unit == .number && v.isPlainNumber) {
                    diags.error(.typeMismatch, "target `\(target.name)` is a \(unitName(target.unit)); this actual is not", at: a.value.span)
                    continue
                }
                actuals.append(TestActual(target: tid, value: v, assessment: nil, note: a.note, span: a.span))
            }
            var expectations: [CheckedExpectation] = []
            func clientIndex(_ n: Name?, _ span: Span) -> Int? {
                if let n {
                    if let i = clients.firstIndex(where: { $0.name == n.text }) { return i }
                    diags.error(.testForm, "this test has no client `\(n.text)`", at: n.span,
                                help: suggestion(n.text, among: clients.compactMap(\.name)))
                    return nil
                }
                if clients.count == 1 { return 0 }
                diags.error(.testForm, clients.isEmpty ? "this expectation needs a client" : "this test has several clients: say which (`expect name: …`)",
                            at: span)
                return nil
            }
            for e in t.expectations {
                switch e.expectation {
                case .outcome(let ref, let negated):
                    guard let ci = clientIndex(e.client, e.span), let g = resolveOutcome(ref, requireDestination: false) else { continue }
                    expectations.append(.outcome(client: ci, outcome: g.outcome, destination: g.destination, negated: negated, span: e.span))
                case .holds(let expr):
                    guard let ci = clientIndex(e.client, e.span) else { continue }
                    // In a test a missing value simply fails the expectation.
                    var te = typeExpr(expr, expected: .bool, env: .perClient)
                    if te.type != .optional(.bool) { te = requireBool(te, "an expectation") }
                    expectations.append(.holds(client: ci, expr: te, span: e.span))
                case .targetStatus(let n, let st):
                    guard let tid = targetIndex[n.text] else {
                        diags.error(.unknownTarget, "unknown target `\(n.text)`", at: n.span, help: suggestion(n.text, among: Array(targetIndex.keys)))
                        continue
                    }
                    expectations.append(.targetStatus(target: tid, status: st, span: e.span))
                case .goalVerdict(let n, let v):
                    guard let gid = goalIndex[n.text] else {
                        diags.error(.unknownTarget, "unknown goal `\(n.text)`", at: n.span, help: suggestion(n.text, among: Array(goalIndex.keys)))
                        continue
                    }
                    expectations.append(.goalVerdict(goal: gid, verdict: v, span: e.span))
                case .checkError(let text):
                    if t.check == nil {
                        diags.error(.testForm, "`expect error` needs policy text to check: add `check \"\"\"…\"\"\"`", at: e.span)
                    }
                    expectations.append(.checkError(text, span: e.span))
                }
            }
            let usesClient = expectations.contains {
                switch $0 { case .outcome, .holds: return true; default: return false }
            }
            if usesClient, asOf == nil {
                diags.error(.testForm, "test \"\(t.name)\" needs `as_of`: decisions depend on the date", at: t.nameSpan)
            }
            let hasGoalExpectation = expectations.contains {
                switch $0 { case .targetStatus, .goalVerdict: return true; default: return false }
            }
            if hasGoalExpectation, period == nil {
                diags.error(.testForm, "test \"\(t.name)\" needs `period` for its goal expectations", at: t.nameSpan)
            }
            var tables: [CheckedTable] = []
            for table in t.tables {
                if let ct = checkTable(table, rec, clients: clients, asOf: asOf, period: period) { tables.append(ct) }
            }
            if t.expectations.isEmpty, t.tables.isEmpty, !t.incomplete {
                diags.error(.testForm, "test \"\(t.name)\" expects nothing", at: t.nameSpan, help: "add `expect …` or an `examples` table")
            }
            tests.append(CheckedTest(name: t.name, span: t.span, asOf: asOf, period: period, clients: clients, actuals: actuals,
                                     expectations: expectations, tables: tables, check: t.check, checkSpan: t.checkSpan,
                                     origin: units[d.unit].directory))
        }
    }

    func apply(_ fields: [FieldValue], to values: inout [Value?], what: String) {
        guard let rec = record else { return }
        var seen = Set<String>()
        for f in fields {
            guard let slot = fieldIndex[f.field.text] else {
                diags.error(.unknownField, "record `\(rec.name)` has no field `\(f.field.text)`", at: f.field.span,
                            help: suggestion(f.field.text, among: rec.fields.map(\.name)))
                continue
            }
            if !seen.insert(f.field.text).inserted {
                diags.error(.duplicateClause, "\(what) gives `\(f.field.text)` twice", at: f.field.span)
            }
            if let v = constantValue(f.value, as: rec.fields[slot].type, what: "field `\(f.field.text)`") {
                values[slot] = v
            }
        }
    }

    /// Every field gets a value: given, a default, or missing for optionals.
    func complete(_ values: [Value?], _ rec: RecordType, at span: Span) -> [Value] {
        var out: [Value] = []
        var lacking: [String] = []
        for (i, f) in rec.fields.enumerated() {
            if let v = values[i] { out.append(v) }
            else if f.type.isOptional { out.append(.missing) }
            else { lacking.append(f.name); out.append(.missing) }
        }
        if !lacking.isEmpty {
            diags.error(.testForm, "the client lacks \(lacking.map { "`\($0)`" }.joined(separator: ", "))", at: span,
                        help: "give the fields, base the client on a fixture (`client like x { … }`), or declare `default` values in the record")
        }
        return out
    }

    func checkTable(_ table: ExamplesTable, _ rec: RecordType, clients: [TestClient], asOf: Day?, period: Period?) -> CheckedTable? {
        var columns: [TableColumnKind] = []
        var headers: [String] = []
        var ok = true
        for (i, c) in table.columns.enumerated() {
            let span = i < table.columnSpans.count ? table.columnSpans[i] : table.span
            headers.append(span.text)
            switch c {
            case .name(let n):
                if n.text == "as_of" { columns.append(.asOf) }
                else if let slot = fieldIndex[n.text] { columns.append(.field(slot: slot)) }
                else if let lid = letIndex[n.text] { columns.append(.letValue(letID: lid)) }
                else {
                    diags.error(.testForm, "`\(n.text)` is not a field, `as_of`, or a let", at: n.span,
                                help: suggestion(n.text, among: rec.fields.map(\.name) + Array(letIndex.keys)))
                    ok = false
                }
            case .outcome(let ref):
                if let g = resolveOutcome(ref, requireDestination: false) {
                    columns.append(.outcome(outcome: g.outcome, destination: g.destination))
                } else { ok = false }
            case .target(let n), .goal(let n):
                // A table row is one client; targets and goals are judged over a period's data.
                diags.error(.testForm, "a table checks outcomes and lets for one client; check targets and goals with `expect target \(n.text) is …` in a test with `period` and `actuals`",
                            at: n.span)
                ok = false
            }
        }
        guard ok else { return nil }
        if clients.count > 1 {
            diags.error(.testForm, "a table runs over one client; this test has several", at: table.span)
            return nil
        }
        if !columns.contains(where: { !$0.isInput }) {
            diags.error(.testForm, "the table has no expected column (an outcome, a let, a target or a goal)", at: table.span)
        }
        if asOf == nil, !columns.contains(where: { if case .asOf = $0 { return true }; return false }),
           columns.contains(where: { if case .outcome = $0 { return true }; if case .letValue = $0 { return true }; return false }) {
            diags.error(.testForm, "the table needs `as_of`: in the test or as a column", at: table.span)
        }
        var rows: [[Value]] = []
        var spans: [Span] = []
        for row in table.rows where row.cells.count == columns.count {
            var values: [Value] = []
            for (cell, col) in zip(row.cells, columns) {
                values.append(cellValue(cell, col, rec) ?? .missing)
            }
            rows.append(values)
            spans.append(row.span)
        }
        return CheckedTable(columns: columns, headers: headers, rows: rows, rowSpans: spans, span: table.span)
    }

    func cellValue(_ cell: Expr, _ col: TableColumnKind, _ rec: RecordType) -> Value? {
        if case .error = cell.kind {
            diags.error(.testForm, "an empty cell: write a value, or `missing`", at: cell.span)
            return nil
        }
        switch col {
        case .field(let slot): return constantValue(cell, as: rec.fields[slot].type, what: "field `\(rec.fields[slot].name)`")
        case .asOf: return constantValue(cell, as: .date, what: "`as_of`")
        case .outcome:
            if case .name(let n) = cell.kind {
                if n == "yes" { return .bool(true) }
                if n == "no" { return .bool(false) }
            }
            if case .bool(let b) = cell.kind { return .bool(b) }
            diags.error(.testForm, "an outcome column holds `yes` or `no`", at: cell.span)
            return nil
        case .letValue(let lid):
            let t = lets[lid]?.type ?? .error
            return constantValue(cell, as: t.isOptional ? t : t, what: "let `\(lets[lid]?.name ?? "")`")
        case .target:
            if case .name(let n) = cell.kind, let st = TargetStatus(rawValue: n) { return .text(st.rawValue) }
            diags.error(.testForm, "a target column holds a status (`met`, `near`, `missed`, `no_data`, `assessed`)", at: cell.span)
            return nil
        case .goal:
            if case .text(let s) = cell.kind { return .text(s) }
            if case .name("none") = cell.kind { return .missing }
            diags.error(.testForm, "a goal column holds a verdict in quotes or `none`", at: cell.span)
            return nil
        }
    }
}
