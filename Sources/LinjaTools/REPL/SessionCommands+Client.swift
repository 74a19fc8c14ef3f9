// The REPL's `:commands`: policy, client, date, decisions, goals, help.

import Foundation
import Linja

/// The REPL's client commands: :client, :set, :as-of.
extension ReplSession {
    // MARK: - Client

    /// The data file `:client from ID` and `:goals` read: `--clients`, else the policy's sample clients.
    func defaultClientsFile() -> String? {
        clientsFile ?? policy.report.sampleClients.flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }
    }

    /// "client EKS-000001 (Keuruu)", "a new client", for headings.
    func clientTitle() -> String {
        guard let record = policy.record else { return "no client" }
        var title = "the client"
        if let idField = record.field("id"), idField.slot < client.count, case .text(let id) = client[idField.slot], !id.isEmpty {
            title = "client \(id)"
        }
        if let m = record.fields.first(where: { $0.type.base == .municipality }), m.slot < client.count,
           case .municipality = client[m.slot] {
            title += " (\(TerminalText.visible(ValueFormatter(policy: policy).text(client[m.slot]))))"
        }
        return title
    }

    /// "client EKS-1 (Keuruu) from clients.csv, row 3", "client T-1, a new client …".
    func clientHeading() -> String {
        clientTitle() + (clientOrigin.hasPrefix("from ") ? " " : ", ") + clientOrigin
    }

    func requireRecord() -> RecordType? {
        guard let record = policy.record else {
            fail(hasPolicy ? "the policy declares no record, so there is no client" : "no policy loaded: load one with :load PATH")
            return nil
        }
        return record
    }

    func clientCommand(_ rest: String) {
        let args = Self.words(rest)
        guard let first = args.first else {
            showClient()
            return
        }
        guard requireRecord() != nil else { return }
        switch first {
        case "new":
            guard args.count == 1 else {
                fail("`:client new` takes nothing more")
                return
            }
            newClient()
            describeClientBriefly()
        case "like":
            guard args.count == 2 else {
                fail("give a fixture's name: :client like FIXTURE (Tab lists them)")
                return
            }
            clientLike(args[1])
        case "from":
            clientFrom(Array(args.dropFirst()))
        default:
            fail("`:client \(first)`: expected :client, :client new, :client like FIXTURE or :client from FILE [ID|ROW]")
        }
    }

    /// A client with the record's defaults.
    func newClient() {
        client = policy.record?.fields.map { $0.defaultValue ?? .missing } ?? []
        clientOrigin = "a new client from the record's defaults"
        changedFields = []
    }

    /// One line about the client, and what is missing before it can be decided.
    func describeClientBriefly() {
        guard policy.record != nil else { return }
        var s = clientHeading()
        let unset = unsetFields()
        if let first = unset.first {
            s += "; no \(unset.map(\.name).joined(separator: ", ")) yet (:set \(first.name) \(example(for: first)), or :client from FILE ID)"
        }
        say(s)
    }

    func clientLike(_ name: String) {
        guard let record = policy.record else { return }
        guard let fixture = policy.fixtures.first(where: { $0.name == name }) else {
            let hint = Suggest.closest(name, among: policy.fixtures.map(\.name)).map { "; did you mean `\($0)`?" }
                ?? (policy.fixtures.isEmpty ? "; the policy declares none" : "; fixtures: " + policy.fixtures.map(\.name).joined(separator: ", "))
            fail("no fixture `\(name)`\(hint)")
            return
        }
        var chain: [Fixture] = [fixture]
        while let baseName = chain[0].base, chain.count < 64, let b = policy.fixtures.first(where: { $0.name == baseName }) {
            chain.insert(b, at: 0)
        }
        var values = record.fields.map { $0.defaultValue ?? .missing }
        for f in chain {
            for given in f.fields where given.slot < values.count { values[given.slot] = given.value }
        }
        client = values
        clientOrigin = "from fixture \(name)"
        changedFields = []
        describeClientBriefly()
    }

    /// `:client from FILE [ID|ROW]`, or `:client from ID|ROW` with a default file.
    func clientFrom(_ args: [String]) {
        guard let record = policy.record else { return }
        let file: String
        let key: String?
        switch args.count {
        case 2:
            file = args[0]
            key = args[1]
        case 1 where FileManager.default.fileExists(atPath: args[0]):
            file = args[0]
            key = nil
        case 1:
            guard let d = defaultClientsFile() else {
                fail("no such file: \(args[0]) (give :client from FILE ID, or start with --clients FILE)")
                return
            }
            file = shown(d)
            key = args[0]
        default:
            fail("give a data file and a client, e.g. :client from clients.csv EKS-00001 (or a row number)")
            return
        }
        let reader: ClientReader
        do {
            reader = try ClientReader(path: file, policy: policy)
        } catch let e as DataIssue {
            fail("\(e)")
            return
        } catch {
            fail("cannot read \(file): \(error)")
            return
        }
        for w in reader.warnings { say("warning: \(w)") }
        var batch = ClientBatch(width: record.fields.count, capacity: 1)
        let row = key.flatMap { Int($0) }
        var byRow: (values: [Value], row: Int, id: String?)?
        var byRowIssue: DataIssue?
        var ids: [String] = []
        var lastRow = 1
        scan: while true {
            batch.removeAll()
            switch reader.next(into: &batch) {
            case .end:
                break scan
            case .rejected(let issue):
                lastRow = reader.row
                if let key, reader.currentID == key {
                    fail("\(issue)")
                    return
                }
                if let row, reader.row == row { byRowIssue = issue }
                if key == nil {
                    fail("\(issue)")
                    return
                }
            case .client:
                lastRow = reader.row
                let values = batch.values(0, record: record)
                let id = reader.currentID
                if key == nil || (id != nil && id == key) {
                    take(values, from: file, row: reader.row, id: id)
                    return
                }
                if let row, reader.row == row { byRow = (values, reader.row, id) }
                if let id, ids.count < 100_000 { ids.append(id) }
            }
        }
        if let found = byRow {
            take(found.values, from: file, row: found.row, id: found.id)
            return
        }
        if let issue = byRowIssue {
            fail("\(issue)")
            return
        }
        guard let key else {
            fail("\(file) holds no clients")
            return
        }
        if row != nil {
            fail("\(file) has no client with id \(key), nor a row \(key) (its clients are on rows 2–\(lastRow))")
        } else {
            let hint = Suggest.closest(key, among: ids).map { "; did you mean \($0)?" } ?? ""
            fail("\(file) has no client with id \(key)\(hint)")
        }
    }

    func take(_ values: [Value], from file: String, row: Int, id: String?) {
        client = values
        clientOrigin = "from \(file), row \(row)"
        changedFields = []
        say("\(clientTitle()) from \(file), row \(row); :client shows its fields")
    }

    func showClient() {
        guard let record = requireRecord() else { return }
        var s = "\(clientHeading())\(changedFields.isEmpty ? "" : " (* changed with :set)"), as of \(asOf):\n"
        let formatter = ValueFormatter(policy: policy)
        let nameWidth = record.fields.map(\.name.count).max() ?? 0
        var rows: [(String, String, String)] = []
        for f in record.fields {
            let v = f.slot < client.count ? client[f.slot] : .missing
            // Values from a data file: control characters shown as escapes.
            var text = v.isMissing ? (f.type.isOptional ? "missing" : "(not set)") : TerminalText.visible(formatter.text(v))
            if changedFields.contains(f.slot) { text += " *" }
            rows.append((f.name, text, f.label ?? ""))
        }
        let valueWidth = min(24, rows.map(\.1.count).max() ?? 0)
        for (name, value, label) in rows {
            var line = "  " + Self.pad(name, nameWidth) + "  " + value
            if !label.isEmpty { line = "  " + Self.pad(name, nameWidth) + "  " + Self.pad(value, valueWidth) + "  " + label }
            s += line + "\n"
        }
        output(s)
    }

    static func pad(_ s: String, _ n: Int) -> String {
        s.count >= n ? s : s + String(repeating: " ", count: n - s.count)
    }

    /// `:set FIELD VALUE`: the value typed against the field.
    func set(_ rest: String) {
        guard let record = requireRecord() else { return }
        var name = String(rest.prefix { !$0.isWhitespace })
        let text = rest.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
        if name.hasPrefix("\(record.name).") { name = String(name.dropFirst(record.name.count + 1)) }
        guard !name.isEmpty else {
            fail("give a field and a value, e.g. :set unemployed_since 2026-01-15")
            return
        }
        let key = name.precomposedStringWithCanonicalMapping.lowercased()
        guard let field = record.field(name)
            ?? record.fields.first(where: { $0.columns.contains { $0.precomposedStringWithCanonicalMapping.lowercased() == key } }) else {
            let hint = Suggest.closest(name, among: record.fields.map(\.name)).map { "; did you mean `\($0)`?" } ?? ""
            fail("the record has no field `\(name)`\(hint)")
            return
        }
        guard !text.isEmpty else {
            fail("give a value for \(field.name), e.g. :set \(field.name) \(example(for: field))")
            return
        }
        switch parseValue(text, for: field) {
        case .success(let v):
            let old = field.slot < client.count ? client[field.slot] : .missing
            if client.count < record.fields.count {
                client += Array(repeating: .missing, count: record.fields.count - client.count)
            }
            client[field.slot] = v
            changedFields.insert(field.slot)
            let formatter = ValueFormatter(policy: policy)
            let was = old.isMissing ? (field.type.isOptional ? "missing" : "not set") : TerminalText.visible(formatter.text(old))
            say("\(field.name) = \(v.isMissing ? "missing" : TerminalText.visible(formatter.text(v))) (was \(was))")
        case .failure(let message):
            fail("\(field.name): \(message.text)")
        }
    }

    struct Message: Error {
        var text: String
    }

    /// A value typed as a data file would give it (`2026-01-15`, `1.5.2026`,
    /// `Keuruu`, `kyllä`), or a Linja expression of the field's type
    /// (`as_of - 4 months`); `missing` clears an optional field.
    func parseValue(_ raw: String, for field: Field) -> Result<Value, Message> {
        var text = raw
        if text == "missing" {
            guard field.type.isOptional else {
                return .failure(Message(text: "it is not optional (\(field.type)), so it cannot be missing"))
            }
            return .success(.missing)
        }
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") {
            text = String(text.dropFirst().dropLast())
            if field.type.base == .text { return .success(.text(text)) }
        }
        if field.type.base == .text { return .success(.text(text)) }
        let parser = FieldParser(field: field, policy: policy, decimalComma: false)
        let parsed = Array(text.utf8).withUnsafeBytes { parser.parse($0) }
        switch parsed {
        case .slot(let raw):
            return .success(Slot.decode(raw, field.type))
        case .text(let s):
            return .success(.text(s))
        case .missing:
            return .success(.missing)
        case .bad(let message):
            // Not data text: perhaps an expression of the right type.
            if let checked = checkExpression(raw, quiet: true) {
                let t = checked.definition.type
                if t.base == field.type.base || (t.base == .int && field.type.base == .decimal),
                   let v = try? valueForClient(checked.definition.expr, in: checked.policy) {
                    if v.isMissing, !field.type.isOptional {
                        return .failure(Message(text: "`\(raw)` is missing here, and the field is not optional"))
                    }
                    return .success(v.widened(to: field.type))
                }
                if t.base != field.type.base {
                    return .failure(Message(text: "expected a \(field.type.base), got a \(t) (`\(raw)`)"))
                }
            }
            return .failure(Message(text: message))
        }
    }

    func example(for field: Field) -> String {
        switch field.type.base {
        case .date: return "2026-01-15"
        case .bool: return "true"
        case .int: return "3"
        case .decimal: return "2.5"
        case .percent: return "75 %"
        case .money: return "100 €"
        case .municipality: return policy.municipalities.first.map { $0.name.contains("-") || $0.name.contains(" ") ? "\"\($0.name)\"" : $0.name } ?? "NAME"
        case .enumeration(let id, _): return id < policy.enums.count ? (policy.enums[id].values.first ?? "VALUE") : "VALUE"
        default: return "VALUE"
        }
    }

    // MARK: - Date

    func setAsOf(_ rest: String) {
        guard !rest.isEmpty else {
            say("as of \(asOf)")
            return
        }
        guard let day = Day.parse(Substring(rest)) else {
            fail("expected a date (2026-05-01 or 1.5.2026), got '\(rest)'")
            return
        }
        asOf = day
        asOfChosen = true
        say("as of \(day)")
    }
}
