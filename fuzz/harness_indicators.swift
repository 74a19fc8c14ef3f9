// indicators: arbitrary bytes as indicator data (actuals) against the
// targets of rules/pohjois-karjala, through `IndicatorReader.read(bytes:…)`.
//
// Asserts, beyond "no crash, no hang":
// - every value names a target and municipality of the policy, rows are
//   data rows (2 and up) in increasing order, at most one value per target,
//   period and municipality; every issue names a row;
// - the accepted rows round-trip: their raw fields, written with `CSVWriter`
//   under the same header and read again, are all accepted and give the
//   same values (target, period, municipality, value, assessment, note).
import Foundation
import Linja

enum IndicatorHarness {
    static let policy: Policy = {
        let p = Policy.load(directory: Fuzz.repoRoot + "/rules/pohjois-karjala", root: Fuzz.repoRoot + "/rules")
        precondition(!p.hasErrors && !p.targets.isEmpty, "fuzz: rules/pohjois-karjala does not check clean")
        return p
    }()

    struct Seen: Equatable {
        var target: Int, period: Period, municipality: Int?, value: Value?, assessment: String?, note: String?
        init(_ v: IndicatorValue) {
            target = v.target; period = v.period; municipality = v.municipality
            value = v.value; assessment = v.assessment; note = v.note
        }
    }

    static func run(_ bytes: [UInt8]) {
        let (values, issues) = IndicatorReader.read(bytes: bytes, path: "actuals.csv", policy: policy)
        Fuzz.log("indicators: \(values.count) values, \(issues.count) issues\n" + issues.prefix(10).map { "\($0)" }.joined(separator: "\n"))
        var lastRow = 1
        var keys = Set<String>()
        for v in values {
            guard policy.targets.indices.contains(v.target) else { Fuzz.fail("row \(v.row): target index \(v.target)") }
            if let m = v.municipality, !policy.municipalities.indices.contains(m) { Fuzz.fail("row \(v.row): municipality index \(m)") }
            if v.row <= lastRow { Fuzz.fail("value rows out of order: \(v.row) after \(lastRow)") }
            lastRow = v.row
            if !keys.insert("\(v.target)|\(v.period)|\(v.municipality ?? -1)").inserted {
                Fuzz.fail("row \(v.row): a second value for the same target, period and municipality was accepted")
            }
        }
        for i in issues where i.row < 1 { Fuzz.fail("an issue without a row: \(i)") }
        guard !values.isEmpty else { return }

        // The raw fields of the accepted rows, from a reader of the same bytes.
        guard let ref = try? CSVReader(bytes: bytes) else { Fuzz.fail("values were read from bytes CSVReader cannot open") }
        var raw: [Int: [String]] = [:]
        let wanted = Set(values.map(\.row))
        var records = 0
        while true {
            do { guard try ref.next() else { break } } catch { continue }
            records += 1
            if records > 1_000_000 { Fuzz.fail("the CSV reader does not end") }
            if wanted.contains(ref.record) { raw[ref.record] = ref.strings() }
        }
        let w = CSVWriter(dialect: ref.dialect, lineEnding: .crlf)
        do {
            try w.writeRecord(ref.header)
            for v in values {
                guard let fields = raw[v.row] else { Fuzz.fail("accepted row \(v.row) is not a record of the CSV reader") }
                try w.writeRecord(fields)
            }
            try w.close()
        } catch {
            Fuzz.fail("CSVWriter failed: \(error)")
        }
        let (again, againIssues) = IndicatorReader.read(bytes: w.bytes, path: "rewritten.csv", policy: policy)
        let rowIssues = againIssues.filter { $0.row > 1 }
        let text = String(decoding: w.bytes, as: UTF8.self)
        if !rowIssues.isEmpty { Fuzz.fail("rewritten accepted rows have issues", rowIssues.map { "\($0)" }.joined(separator: "\n") + "\n" + text) }
        if again.map(Seen.init) != values.map(Seen.init) {
            Fuzz.fail("rewritten accepted rows give other values",
                      "first: \(values.map(Seen.init))\nagain: \(again.map(Seen.init))\n\(text)")
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    IndicatorHarness.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
