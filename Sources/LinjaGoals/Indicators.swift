import Foundation
import LinjaBase
import LinjaSyntax
import LinjaModel
import LinjaRuntime
import LinjaData

/// One indicator value from data: a target's actual for a period,
/// optionally per municipality, or an assessment of a qualitative target.
public struct IndicatorValue: Sendable {
    public var target: Int
    public var period: Period
    public var municipality: Int?
    public var value: Value?
    public var assessment: String?
    public var note: String?
    public var row: Int
    /// For a target whose value the data gives (`given euros`): this row's
    /// own target value, such as a municipality's support budget.
    public var targetValue: Value?

    public init(target: Int, period: Period, municipality: Int?, value: Value?, assessment: String?, note: String?, row: Int,
                targetValue: Value? = nil) {
        self.targetValue = targetValue
        self.target = target
        self.period = period
        self.municipality = municipality
        self.value = value
        self.assessment = assessment
        self.note = note
        self.row = row
    }
}

/// Reads indicator data: CSV (either dialect) with columns `target`,
/// `period`, `value`, and optional `municipality`, `assessment`, `note`,
/// and `target_value` (the row's own target, for targets declared
/// `given …`: each municipality's budget, say).
/// Every bad row is an error naming its row and column; nothing is skipped.
public enum IndicatorReader {
    public static func read(path: String, policy: Policy) -> (values: [IndicatorValue], issues: [DataIssue]) {
        let reader: CSVReader
        do { reader = try CSVReader(path: path) } catch {
            return ([], [DataIssue(path: path, row: 1, message: "\(error)")])
        }
        return read(reader, path: path, policy: policy)
    }

    public static func read(bytes: [UInt8], path: String, policy: Policy) -> (values: [IndicatorValue], issues: [DataIssue]) {
        do { return read(try CSVReader(bytes: bytes), path: path, policy: policy) } catch {
            return ([], [DataIssue(path: path, row: 1, message: "\(error)")])
        }
    }

    static func read(_ reader: CSVReader, path: String, policy: Policy) -> (values: [IndicatorValue], issues: [DataIssue]) {
        var issues: [DataIssue] = []
        var values: [IndicatorValue] = []
        let header = reader.header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        func col(_ names: [String]) -> Int? { header.firstIndex { names.contains($0) } }
        guard let tCol = col(["target", "tavoite", "mittari"]), let pCol = col(["period", "kausi", "jakso"]) else {
            let missing = [col(["target", "tavoite", "mittari"]) == nil ? "'target'" : nil, col(["period", "kausi", "jakso"]) == nil ? "'period'" : nil].compactMap { $0 }
            return ([], [DataIssue(path: path, row: 1, message: "missing required column\(missing.count == 1 ? "" : "s"): \(missing.joined(separator: ", "))")])
        }
        let vCol = col(["value", "arvo", "toteuma"])
        let mCol = col(["municipality", "kunta"])
        let aCol = col(["assessment", "arvio"])
        let nCol = col(["note", "huomio", "selite"])
        let gCol = col(["target_value", "tavoitearvo"])
        // A field given by two columns (`value` twice, or `value` and `arvo`):
        // which one is meant cannot be told, so nothing is read, as for client data.
        for (field, names) in [("target", ["target", "tavoite", "mittari"]), ("period", ["period", "kausi", "jakso"]),
                               ("value", ["value", "arvo", "toteuma"]), ("municipality", ["municipality", "kunta"]),
                               ("assessment", ["assessment", "arvio"]), ("note", ["note", "huomio", "selite"]),
                               ("target_value", ["target_value", "tavoitearvo"])] {
            let columns = header.indices.filter { names.contains(header[$0]) }
            if columns.count > 1 {
                return ([], [DataIssue(path: path, row: 1, column: columns[1] + 1, field: field,
                                       message: "two columns give this field (columns \(columns[0] + 1) and \(columns[1] + 1))")])
            }
        }
        if vCol == nil, aCol == nil {
            return ([], [DataIssue(path: path, row: 1, message: "missing column 'value' (or 'assessment' for qualitative targets)")])
        }
        let known: Set<Int> = Set([tCol, pCol, vCol, mCol, aCol, nCol, gCol].compactMap { $0 })
        for (i, h) in reader.header.enumerated() where !known.contains(i) {
            issues.append(DataIssue(path: path, row: 1, column: i + 1, message: "unknown column '\(h)'"))
        }
        let decimalComma = reader.dialect == .semicolon
        var seen: [String: Int] = [:]
        while true {
            let more: Bool
            do { more = try reader.next() } catch {
                issues.append(DataIssue(path: path, row: reader.record, message: "\(error)"))
                continue
            }
            guard more else { break }
            let row = reader.record
            if let issue = reader.recordIssue {
                issues.append(DataIssue(path: path, row: row, message: "\(issue)"))
                continue
            }
            func field(_ c: Int?) -> String { c.map { reader.string($0).trimmingCharacters(in: .whitespaces) } ?? "" }
            let tText = field(tCol)
            guard let target = policy.targets.first(where: { $0.name == tText || $0.label == tText }) else {
                let s = Suggest.closest(tText, among: policy.targets.map(\.name))
                issues.append(DataIssue(path: path, row: row, column: tCol + 1, field: "target",
                                        message: tText.isEmpty ? "a target is required" : "unknown target '\(tText)'" + (s.map { "; did you mean '\($0)'?" } ?? "")))
                continue
            }
            let pText = field(pCol)
            guard let period = Period.parse(pText) else {
                issues.append(DataIssue(path: path, row: row, column: pCol + 1, field: "period",
                                        message: "expected a period (2026, 2026-Q1 or 2026-03), got '\(pText)'"))
                continue
            }
            if let tp = target.period, !period.within(tp) {
                issues.append(DataIssue(path: path, row: row, column: pCol + 1, field: "period",
                                        message: "target '\(target.name)' is for \(tp), not \(period)"))
                continue
            }
            var municipality: Int?
            if let mc = mCol {
                let mText = field(mc)
                if !mText.isEmpty {
                    guard let m = policy.municipality(named: mText.precomposedStringWithCanonicalMapping) ?? policy.municipality(code: mText) else {
                        let s = Suggest.closest(mText, among: policy.municipalities.map(\.name))
                        issues.append(DataIssue(path: path, row: row, column: mc + 1, field: "municipality",
                                                message: "unknown municipality '\(mText)'" + (s.map { "; did you mean '\($0)'?" } ?? "")))
                        continue
                    }
                    municipality = m
                }
            }
            var assessment: String?
            if let ac = aCol {
                let aText = field(ac)
                if !aText.isEmpty {
                    guard let names = policy.verdicts?.assessments.map(\.name), names.contains(aText) else {
                        let names = policy.verdicts?.assessments.map(\.name) ?? []
                        issues.append(DataIssue(path: path, row: row, column: ac + 1, field: "assessment",
                                                message: "unknown assessment '\(aText)'; the verdict policy declares \(names.map { "'\($0)'" }.joined(separator: ", "))"))
                        continue
                    }
                    assessment = aText
                }
            }
            var value: Value?
            if let vc = vCol {
                let vText = field(vc)
                if !vText.isEmpty {
                    switch parseValue(vText, for: target, decimalComma: decimalComma) {
                    case .success(let v): value = v
                    case .failure(let e):
                        issues.append(DataIssue(path: path, row: row, column: vc + 1, field: "value", message: e.message))
                        continue
                    }
                }
            }
            if value == nil, assessment == nil, target.qualitative == false {
                // A row that only carries a note ("Tieto päivittyy vko 16") says the data is not there yet.
            }
            if target.qualitative, value != nil {
                issues.append(DataIssue(path: path, row: row, column: (vCol ?? 0) + 1, field: "value",
                                        message: "target '\(target.name)' is qualitative: give an assessment, not a value"))
                continue
            }
            var targetValue: Value?
            let gText = field(gCol)
            if target.valueGiven {
                if gText.isEmpty {
                    issues.append(DataIssue(path: path, row: row, column: (gCol ?? vCol ?? 0) + 1, field: "target_value",
                                            message: "target '\(target.name)' takes its target from the data: give this row's target in a column 'target_value'"))
                    continue
                }
                switch parseValue(gText, for: target, decimalComma: decimalComma) {
                case .success(let v): targetValue = v
                case .failure(let e):
                    issues.append(DataIssue(path: path, row: row, column: (gCol ?? 0) + 1, field: "target_value", message: e.message))
                    continue
                }
            } else if !gText.isEmpty {
                issues.append(DataIssue(path: path, row: row, column: (gCol ?? 0) + 1, field: "target_value",
                                        message: "target '\(target.name)' has its target in the rule file; leave 'target_value' empty"))
                continue
            }
            let key = "\(target.id)|\(period)|\(municipality ?? -1)"
            if let first = seen[key] {
                issues.append(DataIssue(path: path, row: row, message: "a second value for '\(target.name)' in \(period)\(municipality.map { " for \(policy.municipalities[$0].name)" } ?? ""); the first is on row \(first)"))
                continue
            }
            seen[key] = row
            values.append(IndicatorValue(target: target.id, period: period, municipality: municipality, value: value,
                                         assessment: assessment, note: nCol.map { field($0) }.flatMap { $0.isEmpty ? nil : $0 }, row: row,
                                         targetValue: targetValue))
        }
        return (values, issues)
    }

    /// A value with or without its unit: `87 %`, `87`, `3,8`, `14 vrk`, `600 hlöä`.
    public static func parseValue(_ text: String, for target: TargetDef, decimalComma: Bool) -> Result<Value, ValueError> {
        var number = text
        var unit = ""
        if let i = text.firstIndex(where: { !($0.isNumber || $0 == "." || $0 == "," || $0 == "-" || $0 == "+" || $0 == " " || $0 == "\u{00A0}") }) {
            number = String(text[..<i])
            unit = String(text[i...]).trimmingCharacters(in: .whitespaces)
        }
        number = number.replacingOccurrences(of: "\u{00A0}", with: "").trimmingCharacters(in: .whitespaces)
        // Thousands written with spaces ("1 468") are read as one number.
        number = number.replacingOccurrences(of: " ", with: "")
        guard let f = Fixed.parse(Substring(number), decimalComma: true) else {
            return .failure(ValueError(message: "expected a number, got '\(text)'"))
        }
        if !decimalComma, number.contains(","), !number.contains(".") {
            // A decimal comma in a comma-separated file can only come from a quoted field; accept it.
        }
        let lowerUnit = unit.lowercased()
        func wrong(_ expected: String) -> Result<Value, ValueError> {
            .failure(ValueError(message: "target '\(target.name)' is in \(expected), not '\(unit)'"))
        }
        switch target.unit {
        case .percent:
            if !unit.isEmpty, unit != "%" { return wrong("%") }
            return .success(.percent(f))
        case .money:
            if !unit.isEmpty, !["€", "eur", "euroa"].contains(lowerUnit) { return wrong("€") }
            return .success(.money(f))
        case .duration(let kind):
            guard let n = f.integerValue else {
                // A fractional value (an average: 4,6 vrk) is kept as a number in the target's unit.
                if unit.isEmpty || DurationUnit.words[lowerUnit].map({ Duration.literal(1, $0).kind == kind }) == true {
                    return .success(.decimal(f))
                }
                return wrong(kind.rawValue)
            }
            var d: Duration
            if unit.isEmpty {
                switch kind {
                case .months: d = Duration(months: Int(n))
                case .workingDays: d = Duration(workingDays: Int(n))
                case .days, .mixed: d = Duration(days: Int(n))
                }
            } else {
                guard let u = DurationUnit.words[lowerUnit] else { return wrong(kind.rawValue) }
                d = Duration.literal(Int(n), u)
            }
            if d.kind != kind, !(d.kind == .days && kind == .days) {
                return wrong(kind.rawValue)
            }
            return .success(.duration(d))
        case .number:
            if !unit.isEmpty {
                let accepted = Set(["hlöä", "hlö", "henkilöä", "kpl", "asiakasta", "persons", "clients"] + [target.unitLabel?.lowercased()].compactMap { $0 })
                let label = target.unitLabel?.lowercased() ?? "\u{0}"
                // Finnish inflects: "1 mittari" and "6 mittaria" are one unit.
                if !accepted.contains(lowerUnit), !lowerUnit.hasPrefix(label), !label.hasPrefix(lowerUnit) {
                    return .failure(ValueError(message: "target '\(target.name)' is a count\(target.unitLabel.map { " (\($0))" } ?? ""), not '\(unit)'"))
                }
            }
            if let i = f.integerValue { return .success(.int(i)) }
            return .success(.decimal(f))
        }
    }
}
