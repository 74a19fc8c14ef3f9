import Linja

/// Compares the declarations of two versions of a policy by name: rules,
/// params, lets, groups, outcomes, targets and the verdict policy. Spacing
/// and comments do not count as a change (a `linja fmt` run changes nothing
/// here); a param also changes when its value on `as_of` differs, which is
/// how an override (`--param`) shows.
public enum DeclarationDiff {
    /// One declaration as compared: its name, text and where it is.
    struct Entry {
        var name: String
        var span: Span
        var value: Value?
        var overridden = false
        var label: String? = nil
    }

    /// The changes from `old` to `new`, rules first, each kind in the new
    /// version's order with removed declarations last.
    public static func changes(old: PolicyVersion, new: PolicyVersion, asOf: Day) -> [DeclarationChange] {
        var out: [DeclarationChange] = []
        let oldFormatter = ValueFormatter(policy: old.policy)
        let newFormatter = ValueFormatter(policy: new.policy)
        func params(_ v: PolicyVersion) -> [Entry] {
            v.policy.params.map { p in
                let over = v.paramOverrides[p.id]
                return Entry(name: p.name, span: p.span, value: over ?? p.value(on: asOf), overridden: over != nil, label: p.label)
            }
        }
        func verdicts(_ p: Policy) -> [Entry] { p.verdicts.map { [Entry(name: "verdicts", span: $0.span)] } ?? [] }
        let kinds: [(DeclarationChange.Kind, [Entry], [Entry])] = [
            (.rule, old.policy.rules.map { Entry(name: $0.name, span: $0.span, label: $0.label) }, new.policy.rules.map { Entry(name: $0.name, span: $0.span, label: $0.label) }),
            (.param, params(old), params(new)),
            (.let, old.policy.lets.map { Entry(name: $0.name, span: $0.span, label: $0.label) }, new.policy.lets.map { Entry(name: $0.name, span: $0.span, label: $0.label) }),
            (.group, old.policy.groups.map { Entry(name: $0.name, span: $0.span, label: $0.label) }, new.policy.groups.map { Entry(name: $0.name, span: $0.span, label: $0.label) }),
            (.outcome, old.policy.outcomes.map { Entry(name: $0.name, span: $0.span, label: $0.label) },
             new.policy.outcomes.map { Entry(name: $0.name, span: $0.span, label: $0.label) }),
            (.target, old.policy.targets.map { Entry(name: $0.name, span: $0.span, label: $0.label) }, new.policy.targets.map { Entry(name: $0.name, span: $0.span, label: $0.label) }),
            (.verdicts, verdicts(old.policy), verdicts(new.policy)),
        ]
        for (kind, before, after) in kinds {
            var oldByName: [String: Entry] = [:]
            for e in before where oldByName[e.name] == nil { oldByName[e.name] = e }
            var seen = Set<String>()
            for a in after where seen.insert(a.name).inserted {
                let b = oldByName[a.name]
                let afterText = a.span.text
                let afterValue = a.value.map(newFormatter.text)
                guard let b else {
                    out.append(DeclarationChange(kind: kind, name: a.name, label: a.label, change: .added, before: nil, after: afterText,
                                                 beforeLocation: nil, afterLocation: location(a.span, new),
                                                 beforeValue: nil, afterValue: afterValue, overriddenAfter: a.overridden,
                                                 overriddenBefore: false, lines: lineDiff("", afterText), textChanged: true))
                    continue
                }
                let beforeText = b.span.text
                let textChanged = normalized(beforeText) != normalized(afterText)
                let beforeValue = b.value.map(oldFormatter.text)
                let valueChanged = b.value != nil && beforeValue != afterValue
                guard textChanged || valueChanged else { continue }
                out.append(DeclarationChange(kind: kind, name: a.name, label: a.label ?? b.label, change: .changed, before: beforeText, after: afterText,
                                             beforeLocation: location(b.span, old), afterLocation: location(a.span, new),
                                             beforeValue: beforeValue, afterValue: afterValue, overriddenAfter: a.overridden,
                                             overriddenBefore: b.overridden,
                                             lines: textChanged ? lineDiff(beforeText, afterText) : [], textChanged: textChanged))
            }
            for b in before where !seen.contains(b.name) {
                seen.insert(b.name)
                let text = b.span.text
                out.append(DeclarationChange(kind: kind, name: b.name, label: b.label, change: .removed, before: text, after: nil,
                                             beforeLocation: location(b.span, old), afterLocation: nil,
                                             beforeValue: b.value.map(oldFormatter.text), afterValue: nil,
                                             overriddenAfter: false, overriddenBefore: b.overridden,
                                             lines: lineDiff(text, ""), textChanged: true))
            }
        }
        return out
    }

    static func location(_ span: Span, _ v: PolicyVersion) -> String? {
        span.location.map { v.displayPath($0.description) }
    }

    /// The text without comments, with every run of spacing one space:
    /// what a declaration means, as far as text can tell.
    public static func normalized(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var inString = false
        var escaped = false
        var inComment = false
        var pendingSpace = false
        for ch in text {
            if inComment {
                if ch.isNewline { inComment = false; pendingSpace = true }
                continue
            }
            if inString {
                out.append(ch)
                if escaped { escaped = false } else if ch == "\\" { escaped = true } else if ch == "\"" { inString = false }
                continue
            }
            if ch == "#" { inComment = true; continue }
            if ch.isWhitespace { pendingSpace = true; continue }
            if pendingSpace, !out.isEmpty { out.append(" ") }
            pendingSpace = false
            out.append(ch)
            if ch == "\"" { inString = true }
        }
        return out
    }

    /// A line-by-line comparison (longest common subsequence); trailing
    /// spaces are ignored. Very long texts are shown as replaced whole.
    public static func lineDiff(_ a: String, _ b: String) -> [DiffLine] {
        func lines(_ s: String) -> [String] {
            if s.isEmpty { return [] }
            return s.split(separator: "\n", omittingEmptySubsequences: false).map {
                var l = String($0)
                while let last = l.last, last == " " || last == "\t" || last == "\r" { l.removeLast() }
                return l
            }
        }
        let x = lines(a), y = lines(b)
        let n = x.count, m = y.count
        guard n * m <= 250_000 else {
            return x.map { DiffLine(operation: .removed, text: $0) } + y.map { DiffLine(operation: .added, text: $0) }
        }
        // lcs[i][j]: the longest common subsequence of x[i...] and y[j...].
        var lcs = Array(repeating: Array(repeating: 0, count: m + 1), count: n + 1)
        if n > 0, m > 0 {
            for i in stride(from: n - 1, through: 0, by: -1) {
                for j in stride(from: m - 1, through: 0, by: -1) {
                    lcs[i][j] = x[i] == y[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
                }
            }
        }
        var out: [DiffLine] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, x[i] == y[j] {
                out.append(DiffLine(operation: .same, text: x[i])); i += 1; j += 1
            } else if i < n, j == m || lcs[i + 1][j] >= lcs[i][j + 1] {
                out.append(DiffLine(operation: .removed, text: x[i])); i += 1
            } else {
                out.append(DiffLine(operation: .added, text: y[j])); j += 1
            }
        }
        return out
    }
}
