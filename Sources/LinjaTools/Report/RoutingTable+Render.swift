import Foundation
import Linja

/// The routing table as text, JSON and CSV. Every format prints the same
/// disclosed figures; none of them knows a hidden value.
extension RoutingTable {
    /// The table for a terminal: one block of columns at a time (a group of
    /// municipalities with its subtotal), then the area's totals.
    public func text(language: ReportLanguage, header: [String] = [], unused: [String] = []) -> String {
        var s = header.map { $0 + "\n" }.joined()
        s += legend(language: language) + "\n"
        let shownRows = outcomeRows
        let titles = shownRows.map { title($0, language: language) }
        let clientsWord = language.isFinnish ? "Asiakkaita" : "clients"
        let outcomeWord = language.isFinnish ? "Ratkaisu" : "outcome"
        let labelWidth = max(12, (titles + [clientsWord]).map(\.count).max() ?? 12)
        func line(_ first: String, _ cells: [String], _ widths: [Int]) -> String {
            var l = first + String(repeating: " ", count: max(1, labelWidth - first.count + 2))
            for (c, w) in zip(cells, widths) { l += String(repeating: " ", count: max(0, w - c.count)) + c + "  " }
            while l.last == " " { l.removeLast() }
            return l + "\n"
        }
        for (bi, b) in blocks.enumerated() {
            var heads = b.columns.map { columnTitle($0, language: language) }
            if b.hasSubtotal { heads.append(language.isFinnish ? "Yhteensä" : "subtotal") }
            let widths = heads.map { max($0.count, 5) }
            s += "\n" + (b.title.map { "\($0)\n" } ?? "")
            s += line(outcomeWord, heads, widths)
            var clientCells = b.columns.map { text(clients[$0], language: language) }
            if b.hasSubtotal, let c = blockClients[bi] { clientCells.append(text(c, language: language)) }
            s += line(clientsWord, clientCells, widths)
            for (r, row) in shownRows.enumerated() {
                var cells = b.columns.map { text(row.cells[$0], language: language) }
                if b.hasSubtotal, let c = row.subtotals[bi] { cells.append(text(c, language: language)) }
                s += line(titles[r], cells, widths)
            }
        }
        let totalHead = language.isFinnish ? "Koko alue" : "total"
        s += "\n" + (language.isFinnish ? "Koko alue\n" : "")
        s += line(outcomeWord, [totalHead], [max(totalHead.count, 5)])
        s += line(clientsWord, [text(clientsTotal, language: language)], [max(totalHead.count, 5)])
        for (r, row) in shownRows.enumerated() { s += line(titles[r], [text(row.total, language: language)], [max(totalHead.count, 5)]) }
        if !withheldRows.isEmpty {
            s += "\n" + (language.isFinnish ? "Ei näytetä lainkaan (liian pieniä lukuja suojattaviksi): " : "Not shown at all (too small to protect): ")
            s += withheldRows.map { policy.outcomeTitle($0.outcome, destination: $0.destination, language: language) }.joined(separator: ", ") + "\n"
        }
        if !unused.isEmpty {
            s += "\n" + (language.isFinnish ? "Sääntöjä, jotka eivät koskeneet ketään näissä tiedoissa:\n" : "Applied to no client in this data:\n")
            for u in unused { s += "  \(u)\n" }
        }
        return s
    }

    /// The table as JSON: shown counts are numbers, a hidden one is an object.
    public func json(asOf: Day, counts: RunPipeline.Counts, unused: [String]) -> JSON {
        var groups: [JSON] = []
        for (bi, b) in blocks.enumerated() where b.hasSubtotal {
            groups.append(.object([
                ("label", .string(b.title ?? "")),
                ("municipalities", .array(b.columns.map { .string(columnTitle($0, language: .fi)) })),
                ("clients", blockClients[bi].map(json) ?? .null),
            ]))
        }
        // The --param overrides beside the fingerprint they are part of.
        let overrides: [(String, JSON)] = policy.paramOverrides.isEmpty ? [] : [("param_overrides", policy.overridesJSON)]
        return .object([
            ("policy", .string(policy.name)),
            ("fingerprint", .string(policy.fingerprint)),
        ] + overrides + [
            ("as_of", .string(asOf.description)),
            ("suppressed_below", .int(limit)),
            ("counts", .object([("read", .int(counts.read)), ("decided", .int(counts.decided)),
                                ("rejected", .int(counts.rejected + counts.failed))])),
            ("clients", .object([
                ("total", json(clientsTotal)),
                ("by_municipality", .object(columns.indices.map { (columnTitle($0, language: .fi), json(clients[$0])) })),
            ])),
            ("groups", .array(groups)),
            ("outcomes", .array(outcomeRows.compactMap { row in
                guard let key = row.key else { return nil }
                let o = policy.outcomes[key.outcome]
                var pairs: [(String, JSON)] = [("kind", .string(o.kind.rawValue)), ("name", .string(o.name))]
                if key.destination >= 0 { pairs.append(("target", .string(o.destinations[key.destination]))) }
                pairs.append(("label", .string(title(row, language: .fi))))
                pairs.append(("total", json(row.total)))
                pairs.append(("by_municipality", .object(columns.indices.map { (columnTitle($0, language: .fi), json(row.cells[$0])) })))
                var byGroup: [(String, JSON)] = []
                for (bi, b) in blocks.enumerated() where b.hasSubtotal {
                    if let d = row.subtotals[bi] { byGroup.append((b.title ?? "", json(d))) }
                }
                if !byGroup.isEmpty { pairs.append(("by_group", .object(byGroup))) }
                return .object(pairs)
            })),
            ("withheld", .array(withheldRows.map { .string(policy.outcomeTitle($0.outcome, destination: $0.destination, language: .en)) })),
            ("unused", .array(unused.map { .string($0) })),
        ])
    }

    /// The table in long format for spreadsheets and BI tools: one row per
    /// place (municipality, group or the area) and outcome, the count in
    /// `count` or, for a hidden one, empty with `hidden` saying why.
    public func csv(asOf: Day, finnish: Bool) -> [UInt8] {
        let w = CSVWriter(dialect: finnish ? .semicolon : .comma, byteOrderMark: finnish)
        // Meant for spreadsheets: municipality, group and outcome names
        // cannot run as formulas (CSVWriter.neutralizingFormulas).
        w.neutralizingFormulas = true
        let date = finnish ? ReportLanguage.fi.date(asOf) : asOf.description
        try? w.writeRecord(["policy", "as_of", "place_kind", "place", "outcome_kind", "outcome", "target", "label", "count", "hidden"])
        func row(_ kind: String, _ place: String, _ key: Summary.OutcomeKey?, _ d: Disclosed) {
            var fields = [policy.shortFingerprint, date, kind, place]
            if let k = key {
                let o = policy.outcomes[k.outcome]
                fields += [o.kind.rawValue, o.name, k.destination >= 0 ? o.destinations[k.destination] : "",
                           policy.outcomeTitle(k.outcome, destination: k.destination, language: .fi)]
            } else {
                fields += ["", "clients", "", "Asiakkaita"]
            }
            switch d {
            case .shown(let n): fields += [String(n), ""]
            case .hidden(.primary): fields += ["", "under \(limit)"]
            case .hidden(.secondary): fields += ["", "protects a small count"]
            }
            try? w.writeRecord(fields)
        }
        for c in columns.indices { row("municipality", columnTitle(c, language: .fi), nil, clients[c]) }
        for (bi, b) in blocks.enumerated() where b.hasSubtotal {
            if let d = blockClients[bi] { row("group", b.title ?? "", nil, d) }
        }
        row("area", policy.areas.first?.label ?? policy.name, nil, clientsTotal)
        for r in outcomeRows {
            for c in columns.indices { row("municipality", columnTitle(c, language: .fi), r.key, r.cells[c]) }
            for (bi, b) in blocks.enumerated() where b.hasSubtotal {
                if let d = r.subtotals[bi] { row("group", b.title ?? "", r.key, d) }
            }
            row("area", policy.areas.first?.label ?? policy.name, r.key, r.total)
        }
        return w.bytes
    }
}
