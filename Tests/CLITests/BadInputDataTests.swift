import Foundation
import Testing

// MARK: - Client data: `linja run`

struct BadInputCatalogueClientDataTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var id: String
        var name = "c.csv"
        var bytes: [UInt8]
        /// Lines stderr must contain (the path is prefixed where a line starts with ':').
        var expected: [String]
        var exit: Int32 = 2
        /// The clients decided, in order.
        var decided = ["A1", "A3"]
        var testDescription: String { id }
    }

    static let cases: [Case] = [
        Case(id: "csv.bad-value", bytes: Array(BadInput.csv(BadInput.row(status: "unemployd")).utf8),
             expected: [":3:6: field 'status': expected one of unemployed, laid_off, short_layoff, employed, student, got 'unemployd'; did you mean 'unemployed'?",
                        "1 of 3 rows rejected; 2 decided"]),
        Case(id: "csv.bad-bool", bytes: Array(BadInput.csv(BadInput.row(immigrant: "maybe")).utf8),
             expected: [":3:7: field 'immigrant': expected true/false, 1/0 or kyllä/ei, got 'maybe'"]),
        Case(id: "csv.unknown-municipality", bytes: Array(BadInput.csv(BadInput.row(municipality: "Kuopio")).utf8),
             expected: [":3:2: field 'municipality': unknown municipality 'Kuopio'"]),
        Case(id: "csv.required-value-empty", bytes: Array(BadInput.csv(BadInput.row(birthDate: "")).utf8),
             expected: [":3:3: field 'birth_date': a value is required"]),
        Case(id: "csv.date-outside-calendar",
             bytes: Array(BadInput.csv(BadInput.row(unemployedSince: "2026-02-30"), BadInput.row(id: "A4", birthDate: "31.2.1990"),
                                       BadInput.row(id: "A5", unemployedSince: "9999-12-31")).utf8),
             expected: [":3:5: field 'unemployed_since': expected a date (2026-05-01 or 1.5.2026), got '2026-02-30'",
                        ":4:3: field 'birth_date': expected a date (2026-05-01 or 1.5.2026), got '31.2.1990'",
                        ":5: cannot be decided: rules/common/definitions.linja:30:18: the date is outside the calendar",
                        "3 of 5 rows rejected; 2 decided"]),
        Case(id: "csv.ragged-row",
             bytes: Array(BadInput.csv("A2,Keuruu,1990-01-01,2026-03-25,,unemployed,false,false", BadInput.row(id: "A4") + ",extra").utf8),
             expected: [":3: the row has 8 fields, the header 11", ":4: the row has 12 fields, the header 11",
                        "2 of 4 rows rejected; 2 decided"]),
        Case(id: "csv.unterminated-quote",
             bytes: Array(([BadInput.header, BadInput.a1, BadInput.a3, "A2,\"Keuruu,1990-01-01,2026-03-25,,unemployed,false,false,false,false,false"].joined(separator: "\n") + "\n").utf8),
             expected: [":4:2: unterminated quoted field: the quote opened here never closes; reading resumes on the next line",
                        "1 of 3 rows rejected; 2 decided"]),
        Case(id: "csv.quote-in-field", bytes: Array(BadInput.csv(BadInput.row(id: "A\"2")).utf8),
             expected: [":3:1: quote inside an unquoted field; a field with quotes must be enclosed in quotes and its quotes doubled"]),
        Case(id: "csv.not-utf8",
             bytes: Array((BadInput.header + "\n" + BadInput.a1 + "\nA2,J").utf8) + [0xE4] + Array("ms".utf8) + [0xE4]
                + Array(",1990-01-01,2026-03-25,,unemployed,false,false,false,false,false\n\(BadInput.a3)\n".utf8),
             expected: [":3:2: invalid UTF-8; save the file as UTF-8"]),
        Case(id: "csv.bom", bytes: [0xEF, 0xBB, 0xBF] + Array(BadInput.csv().utf8), expected: [], exit: 0),
        Case(id: "csv.mixed-line-endings",
             bytes: Array((BadInput.header + "\r\n" + BadInput.a1 + "\n" + BadInput.row() + "\r" + BadInput.a3 + "\r\n").utf8),
             expected: [], exit: 0, decided: ["A1", "A2", "A3"]),
        Case(id: "csv.blank-lines", bytes: Array((BadInput.header + "\n" + BadInput.a1 + "\n\n\r\n\n" + BadInput.a3 + "\n").utf8),
             expected: [], exit: 0),
        Case(id: "csv.whitespace-line", bytes: Array((BadInput.header + "\n" + BadInput.a1 + "\n  \n" + BadInput.a3 + "\n").utf8),
             expected: [":3: the row has 1 field, the header 11", "1 of 3 rows rejected; 2 decided"]),
        Case(id: "csv.unknown-column",
             bytes: Array((BadInput.header + ",kengännumero\n" + BadInput.a1 + ",42\n" + BadInput.a3 + ",43\n").utf8),
             expected: ["warning: ", ":1:12: unknown column 'kengännumero' is ignored"], exit: 0),
        Case(id: "csv.header-only", bytes: Array((BadInput.header + "\n").utf8), expected: [], exit: 0, decided: []),
        Case(id: "csv.empty-file", bytes: [], expected: ["linja run: ", ":1: the file is empty: expected a header row"], decided: []),
        Case(id: "csv.missing-column",
             bytes: Array("id,municipality,birth_date,status\nA1,Keuruu,1990-01-01,unemployed\n".utf8),
             expected: [":1: missing required columns: 'job_search_started', 'immigrant', 'partial_work_ability', 'disabled', 'long_term_ill', 'in_services'"],
             decided: []),
        Case(id: "csv.duplicate-column",
             bytes: Array((BadInput.header + ",kotikunta\n" + BadInput.a1 + ",Keuruu\n").utf8),
             expected: [":1:12: field 'municipality': two columns give this field"], decided: []),
        Case(id: "jsonl.not-an-object", name: "c.jsonl", bytes: Array(BadInput.jsonl(#"["A2","Keuruu"]"#, #""A4""#).utf8),
             expected: [":2: expected a JSON object (line 2, column 1)", ":3: expected a JSON object (line 3, column 1)",
                        "2 of 4 rows rejected; 2 decided"]),
        Case(id: "jsonl.malformed", name: "c.jsonl", bytes: Array(BadInput.jsonl(#"{"id":"A2","#).utf8),
             expected: [":2: unexpected end of line: expected a string key (line 2, column 12)"]),
        Case(id: "jsonl.nested-value", name: "c.jsonl",
             bytes: Array(BadInput.jsonl(BadInput.j1.replacingOccurrences(of: #""A1""#, with: #""A2""#)
                                            .replacingOccurrences(of: #""Keuruu""#, with: #"{"name":"Keuruu"}"#)).utf8),
             expected: [":2:2: field 'municipality': expected a value, got a JSON object"]),
        Case(id: "jsonl.duplicate-key", name: "c.jsonl", bytes: Array(BadInput.jsonl(#"{"id":"A2","id":"A5"}"#).utf8),
             expected: [":2: duplicate key \"id\" (line 2, column 12)"]),
        Case(id: "jsonl.empty-file", name: "c.jsonl", bytes: [], expected: [], exit: 0, decided: []),
    ]

    @Test(arguments: cases)
    func runRejectsTheBadRowsAndDecidesTheGoodOnes(_ c: Case) throws {
        let path = BadInput.file(c.name, c.bytes)
        let r = try BadInput.run(path)
        #expect(!r.signalled, "linja crashed: \(r.stderr)")
        #expect(r.status == c.exit, "\(r.stderr)")
        for e in c.expected {
            let line = e.hasPrefix(":") ? path + e : e
            #expect(r.stderr.contains(line), "missing: \(line)\nstderr:\n\(r.stderr)")
        }
        if c.expected.isEmpty { #expect(r.stderr.isEmpty, "\(r.stderr)") }
        #expect(BadInput.decided(r) == c.decided, "\(r.stdout.prefix(2000))")
    }

    @Test("[csv.bad-value] with --skip-invalid the bad row goes to the rejects file with its reason, and the run exits 0")
    func skipInvalidKeepsTheRejectedRow() throws {
        let path = BadInput.file("c.csv", BadInput.csv(BadInput.row(status: "unemployd")))
        let rejects = path + ".rejected.csv"
        let r = try BadInput.run(path, ["--skip-invalid", rejects])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(BadInput.decided(r) == ["A1", "A3"])
        let text = try String(contentsOfFile: rejects, encoding: .utf8)
        #expect(text.contains("3,6,status,\"expected one of unemployed, laid_off, short_layoff, employed, student, got 'unemployd'; did you mean 'unemployed'?\",A2,Keuruu,"))
    }

    @Test("[csv.many-bad-rows] past --max-errors the bad rows are counted, not printed")
    func manyBadRows() throws {
        let bad = (0..<25).map { BadInput.row(id: "B\($0)", status: "x") }
        let path = BadInput.file("c.csv", BadInput.csv(bad.joined(separator: "\n")))
        let r = try BadInput.run(path, ["--max-errors", "3"])
        #expect(r.status == 2)
        #expect(r.stderr.components(separatedBy: "error: ").count - 1 == 3)
        #expect(r.stderr.contains("… and 22 more bad rows"))
        #expect(r.stderr.contains("25 of 27 rows rejected; 2 decided"))
        #expect(BadInput.decided(r) == ["A1", "A3"])
    }

    @Test("[csv.unterminated-quote-midfile] an unterminated quote before good rows loses only its own row")
    func anUnterminatedQuoteMidFile() throws {
        let path = BadInput.file("c.csv", BadInput.csv("A2,\"Keuruu,1990-01-01,2026-03-25,,unemployed,false,false,false,false,false"))
        let r = try BadInput.run(path)
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(path):3:2: unterminated quoted field: the quote opened here never closes; reading resumes on the next line"),
                "\(r.stderr)")
        #expect(BadInput.decided(r) == ["A1", "A3"])
        #expect(r.stderr.contains("1 of 3 rows rejected; 2 decided"), "\(r.stderr)")
    }

    @Test("[csv.million-char-field] a field of a million characters: rejected with a short message, or kept as text")
    func aMillionCharacterField() throws {
        let huge = String(repeating: "x", count: 1_000_000)
        // In a date field: rejected, the message shows 60 characters.
        let inDate = BadInput.file("c.csv", BadInput.csv(BadInput.row(birthDate: huge)))
        let start = Date()
        let r = try BadInput.run(inDate, timeout: 60)
        #expect(Date().timeIntervalSince(start) < 30)
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(inDate):3:3: field 'birth_date': expected a date (2026-05-01 or 1.5.2026), got '\(String(repeating: "x", count: 60))…'"))
        #expect(r.stderr.utf8.count < 1000)
        #expect(BadInput.decided(r) == ["A1", "A3"])
        // In the id (text): decided and written whole.
        let inID = BadInput.file("c.csv", BadInput.csv(BadInput.row(id: "B" + huge)))
        let t = try BadInput.run(inID, timeout: 60)
        #expect(t.status == 0)
        #expect(BadInput.decided(t) == ["A1", "B" + huge, "A3"])
        // Quoted, in an extra column past the header: a ragged row.
        let extra = BadInput.file("c.csv", BadInput.csv(BadInput.row() + ",\"" + huge + "\""))
        let e = try BadInput.run(extra, timeout: 60)
        #expect(e.status == 2)
        #expect(e.stderr.contains("\(extra):3: the row has 12 fields, the header 11"))
        #expect(BadInput.decided(e) == ["A1", "A3"])
    }

    @Test("[data.duplicate-ids] two rows with one id are reported, not both silently decided")
    func duplicateIDs() throws {
        let csv = BadInput.file("c.csv", BadInput.csv(BadInput.row(id: "A1", municipality: "Jämsä")))
        let r = try BadInput.run(csv)
        let jsonl = BadInput.file("c.jsonl", BadInput.jsonl(BadInput.j1))
        let j = try BadInput.run(jsonl)
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(csv):3:1: field 'id':"), "\(r.stderr)")
        #expect(r.stderr.contains("A1") && r.stderr.contains("row 2"), "\(r.stderr)")
        #expect(BadInput.decided(r) == ["A1", "A3"])
        #expect(j.status == 2)
        #expect(j.stderr.contains("\(jsonl):2:1: field 'id':") && j.stderr.contains("row 1"), "\(j.stderr)")
        #expect(BadInput.decided(j) == ["A1", "A3"])
        // Asked for, every row is decided.
        let allowed = try BadInput.run(csv, ["--allow-repeated-ids"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(BadInput.decided(allowed) == ["A1", "A1", "A3"])
    }

    @Test("[data.missing-id] a row with no id is rejected like any missing required value")
    func aMissingID() throws {
        let csv = BadInput.file("c.csv", BadInput.csv(BadInput.row(id: "")))
        let r = try BadInput.run(csv)
        let noKey = BadInput.j3.replacingOccurrences(of: #""id":"A3","#, with: "")
        let jsonl = BadInput.file("c.jsonl", BadInput.jsonl(noKey, BadInput.j3.replacingOccurrences(of: #""A3""#, with: "null")))
        let j = try BadInput.run(jsonl)
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(csv):3:1: field 'id': a value is required"), "\(r.stderr)")
        #expect(BadInput.decided(r) == ["A1", "A3"])
        #expect(j.status == 2)
        #expect(j.stderr.contains("\(jsonl):2: field 'id': missing (a value is required)"), "\(j.stderr)")
        #expect(BadInput.decided(j) == ["A1", "A3"])
    }

    @Test("[run.undecidable-row] a row that cannot be decided keeps its data in the rejects file")
    func anUndecidableRowKeepsItsData() throws {
        let path = BadInput.file("c.csv", BadInput.csv(BadInput.row(id: "A5", unemployedSince: "9999-12-31")))
        let plain = try BadInput.run(path)
        #expect(plain.status == 2)
        #expect(plain.stderr.contains("\(path):3: cannot be decided: rules/common/definitions.linja:30:18: the date is outside the calendar"))
        #expect(BadInput.decided(plain) == ["A1", "A3"])

        let rejects = path + ".rejected.csv"
        let r = try BadInput.run(path, ["--skip-invalid", rejects])
        #expect(r.status == 0)
        #expect(BadInput.decided(r) == ["A1", "A3"])
        let text = (try? String(contentsOfFile: rejects, encoding: .utf8)) ?? ""
        #expect(text.contains("3,,,cannot be decided: rules/common/definitions.linja:30:18: the date is outside the calendar"))
        #expect(text.contains(",A5,Keuruu,1990-01-01,2026-03-25,9999-12-31,"), "\(text)")
    }
}

// MARK: - Client data: quotes, numbering, keys (issue 17, items 11, 12, 19, 20)

struct BadInputCatalogueReadingTests {
    @Test("[csv.stray-quote] one unbalanced quote early in a file loses only its own line")
    func aStrayQuoteLosesOnlyItsLine() throws {
        // Issue 17's case: a quote that never closes, then a thousand clients.
        let bad = "A2,\"Keuruu,1990-01-01,2026-03-25,,unemployed,false,false,false,false,false"
        var lines = [BadInput.header, BadInput.a1, bad]
        for i in 0..<1000 { lines.append(BadInput.row(id: "B\(i)")) }
        lines.append(BadInput.a3)
        let path = BadInput.file("c.csv", lines.joined(separator: "\n") + "\n")
        let rejects = path + ".rejected.csv"
        let r = try BadInput.run(path, ["--skip-invalid", rejects])
        #expect(r.status == 0, "\(r.stderr)")
        let decided = BadInput.decided(r)
        #expect(decided.count == 1002 && decided.first == "A1" && decided.last == "A3" && decided.contains("B999"))
        let text = (try? String(contentsOfFile: rejects, encoding: .utf8)) ?? ""
        // Named by the line where the quote opened, with the line's text.
        #expect(text.contains("3,2,,the quoted field opened here runs past 10 lines or 8 MiB (a stray quote?): "
                              + "a quoted field may span at most 10 lines and a row at most 8 MiB; reading resumes on the next line,"),
                "\(text)")
        #expect(text.contains("\"A2,\"\"Keuruu,1990-01-01,2026-03-25,,unemployed,false,false,false,false,false\""), "\(text)")
        #expect(text.split(whereSeparator: \.isNewline).count == 2, "\(text)")
    }

    @Test("[csv.stray-quote-pair] two stray quotes that close each other lose only their own lines")
    func twoStrayQuotes() throws {
        let path = BadInput.file("c.csv", BadInput.csv(
            "A2,\"Keuruu,1990-01-01,2026-03-25,,unemployed,false,false,false,false,false",
            BadInput.row(id: "A4"),
            "A5,Keu\"ruu,1990-01-01,2026-03-25,,unemployed,false,false,false,false,false"))
        let r = try BadInput.run(path)
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(path):3:2: the quoted field opened here runs over several lines into a row that cannot be read"),
                "\(r.stderr)")
        #expect(r.stderr.contains("\(path):5:2: quote inside an unquoted field"), "\(r.stderr)")
        #expect(BadInput.decided(r) == ["A1", "A4", "A3"])
    }

    @Test("[csv.row-too-long] a row longer than 8 MiB is rejected without being kept, and reading goes on")
    func aRowTooLong() throws {
        let huge = BadInput.row(id: "A2") + String(repeating: "x", count: 9 << 20)
        let path = BadInput.file("c.csv", BadInput.csv(huge))
        let r = try CLI.run(["run", BadInput.eks, "--clients", path, "--as-of", BadInput.asOf, "--summary"],
                            env: ["NO_COLOR": "1"], timeout: 120)
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(path):3: the row is longer than 8 MiB, the longest row read; reading resumes on the next line"),
                "\(r.stderr.prefix(500))")
        #expect(r.stdout.contains("Clients: 3 read, 2 decided, 1 rejected"), "\(r.stdout)")
    }

    @Test("[csv.row-numbers] with blank lines and quoted line breaks a row is named as a spreadsheet shows it, and by its line")
    func rowNumbersAsASpreadsheetShowsThem() throws {
        let quoted = "\"A2\nsecond line\",Keuruu,1990-01-01,2026-03-25,,unemployed,false,false,false,false,false"
        let path = BadInput.file("c.csv", [BadInput.header, "", BadInput.a1, "", quoted, BadInput.row(id: "A4", status: "x"),
                                           BadInput.a3].joined(separator: "\n") + "\n")
        let r = try BadInput.run(path)
        #expect(r.status == 2)
        // Blank lines are rows; the quoted line break is not, but it moves the line.
        #expect(r.stderr.contains("\(path):6:6: field 'status': expected one of unemployed, laid_off, short_layoff, employed, student, got 'x' (line 7)"),
                "\(r.stderr)")
        #expect(BadInput.decided(r) == ["A1", "A2\nsecond line", "A3"])
    }

    @Test("[csv.bom-midfile] a byte-order mark where two files were joined is not part of the id")
    func aByteOrderMarkInTheMiddle() throws {
        let bytes = Array((BadInput.header + "\n" + BadInput.a1 + "\n").utf8) + [0xEF, 0xBB, 0xBF] + Array((BadInput.a1 + "\n" + BadInput.a3 + "\n").utf8)
        let path = BadInput.file("c.csv", bytes)
        let r = try BadInput.run(path)
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(path):3:1: field 'id': duplicate id 'A1' (first on row 2)"), "\(r.stderr)")
        #expect(BadInput.decided(r) == ["A1", "A3"])
    }

    @Test("[jsonl.unknown-key] a JSON Lines key that names no field is a warning, as an unknown CSV column is")
    func anUnknownKey() throws {
        let misspelt = BadInput.j1.replacingOccurrences(of: #""A1""#, with: #""A2""#)
            .replacingOccurrences(of: "unemployed_since", with: "unemployed_sinc")
        let path = BadInput.file("c.jsonl", BadInput.jsonl(misspelt))
        let r = try BadInput.run(path)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr == "warning: \(path):2:5: unknown key 'unemployed_sinc' is ignored; did you mean 'unemployed_since'?\n")
        #expect(BadInput.decided(r) == ["A1", "A2", "A3"])
    }

    @Test("[jsonl.two-keys-one-field] two keys for one field reject the row, as two columns for one field are an error")
    func twoKeysForOneField() throws {
        let doubled = BadInput.j1.replacingOccurrences(of: #""A1""#, with: #""A2""#).dropLast() + #","kotikunta":"Jämsä"}"#
        let path = BadInput.file("c.jsonl", BadInput.jsonl(String(doubled)))
        let r = try BadInput.run(path)
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(path):2:12: field 'municipality': two keys give this field ('municipality' and 'kotikunta')"),
                "\(r.stderr)")
        #expect(BadInput.decided(r) == ["A1", "A3"])
    }

    @Test("[jsonl.stdin] JSON Lines from standard input with --input-format jsonl")
    func jsonLinesFromStandardInput() throws {
        let r = try CLI.run(["run", BadInput.eks, "--clients", "-", "--input-format", "jsonl", "--as-of", BadInput.asOf,
                             "--format", "jsonl"], stdin: BadInput.jsonl(), env: ["NO_COLOR": "1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(BadInput.decided(r) == ["A1", "A3"])
        let csv = try CLI.run(["run", BadInput.eks, "--clients", "-", "--as-of", BadInput.asOf, "--format", "jsonl"],
                              stdin: BadInput.jsonl(), env: ["NO_COLOR": "1"])
        #expect(csv.status == 2, "without --input-format standard input is CSV")
        let bad = try CLI.run(["run", BadInput.eks, "--clients", "-", "--input-format", "xml", "--as-of", BadInput.asOf],
                              stdin: "", env: ["NO_COLOR": "1"])
        #expect(bad.status == 2)
        #expect(bad.stderr.hasPrefix("linja run: --input-format must be one of csv, jsonl, not 'xml'"), "\(bad.stderr)")
    }
}

// MARK: - Options: `linja run`

struct BadInputCatalogueRunOptionTests {
    static let sample = "rules/etela-keski-suomi/sample/clients.csv"

    @Test("[run.as-of-not-a-date] --as-of that is not a date, or not a calendar date")
    func anAsOfThatIsNotADate() throws {
        for bad in ["tomorrow", "2026-02-30", "31.2.2026"] {
            let r = try CLI.run(["run", BadInput.eks, "--clients", Self.sample, "--as-of", bad], env: ["NO_COLOR": "1"])
            #expect(r.status == 2)
            #expect(r.stderr == "linja run: --as-of must be a date (2026-05-01 or 1.5.2026), not '\(bad)'\nRun 'linja run --help' for usage.\n")
            #expect(r.stdout.isEmpty)
        }
    }

    @Test("[run.unreadable-clients] --clients that does not exist, or is a directory")
    func unreadableClients() throws {
        let missing = try BadInput.run("/nonexistent/clients.csv")
        #expect(missing.status == 2)
        #expect(missing.stderr == "linja run: /nonexistent/clients.csv:1: cannot open '/nonexistent/clients.csv': No such file or directory\n")
        #expect(missing.stdout.isEmpty)
        let dir = BadInput.tempDir()
        let isDir = try BadInput.run(dir)
        #expect(isDir.status == 2)
        #expect(isDir.stderr == "linja run: \(dir):1: cannot read '\(dir)': Is a directory\n")
    }

    @Test("[run.param-wrong-type] --param with a value of the wrong type or an unknown name")
    func aParamOfTheWrongType() throws {
        let wrong = try CLI.run(["run", BadInput.eks, "--clients", Self.sample, "--as-of", BadInput.asOf, "--summary",
                                 "--param", "career_guidance_after=2"], env: ["NO_COLOR": "1"])
        #expect(wrong.status == 2)
        #expect(wrong.stderr.hasPrefix("linja run: --param career_guidance_after: expected a duration in months, got an integer ('2')\n"))
        #expect(wrong.stdout.isEmpty)
        let unknown = try CLI.run(["run", BadInput.eks, "--clients", Self.sample, "--as-of", BadInput.asOf, "--summary",
                                   "--param", "career_guidanc_after=2 months"], env: ["NO_COLOR": "1"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.hasPrefix("linja run: --param: no param 'career_guidanc_after'; did you mean 'career_guidance_after'?\n"))
    }

    @Test("[run.only-unknown-id] --only with an id no row has says so")
    func onlyAnUnknownID() throws {
        let path = BadInput.file("c.csv", BadInput.csv())
        let r = try BadInput.run(path, ["--only", "A9"])
        #expect(BadInput.decided(r).isEmpty)
        #expect(r.stderr.contains("A9"), "stderr: \(r.stderr)")
        #expect(r.status == 2)
    }
}

// MARK: - Indicator data: `linja goals`

struct BadInputCatalogueIndicatorDataTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var id: String
        var text: String
        var expected: [String]
        var exit: Int32 = 2
        /// The target whose good row must still be used, and that row.
        var kept: (target: String, actual: String, row: Int)? = ("initial_f2f", "78", 3)
        var testDescription: String { id }
    }

    static let header = "target,period,value\n"
    static let good = "initial_f2f,2026-Q1,78 %\n"

    static let cases: [Case] = [
        Case(id: "actuals.unknown-target", text: header + "initial_f2f_typo,2026-Q1,78 %\n" + good,
             expected: [":2:1: field 'target': unknown target 'initial_f2f_typo'"]),
        Case(id: "actuals.wrong-unit", text: header + "under30_initial_f2f,2026-Q1,87 days\n" + good,
             expected: [":2:3: field 'value': target 'under30_initial_f2f' is in %, not 'days'"]),
        Case(id: "actuals.bad-value", text: header + "under30_initial_f2f,2026-Q1,paljon\n" + good,
             expected: [":2:3: field 'value': expected a number, got 'paljon'"]),
        Case(id: "actuals.bad-period", text: header + "under30_initial_f2f,2026-Q7,87 %\n" + good,
             expected: [":2:2: field 'period': expected a period (2026, 2026-Q1 or 2026-03), got '2026-Q7'"]),
        Case(id: "actuals.period-not-covered", text: header + "under30_initial_f2f,2025-Q1,87 %\n" + good,
             expected: [":2:2: field 'period': target 'under30_initial_f2f' is for 2026, not 2025-Q1"]),
        Case(id: "actuals.duplicate-value", text: header + good + "initial_f2f,2026-Q1,79 %\n",
             expected: [":3: a second value for 'initial_f2f' in 2026-Q1; the first is on row 2"],
             kept: ("initial_f2f", "78", 2)),
        Case(id: "actuals.unknown-municipality", text: "target,period,value,municipality\nunder30_initial_f2f,2026-Q1,87 %,Kuopio\ninitial_f2f,2026-Q1,78 %,\n",
             expected: [":2:4: field 'municipality': unknown municipality 'Kuopio'"]),
        Case(id: "actuals.ragged-row", text: header + "under30_initial_f2f,2026-Q1\n" + good,
             expected: [":2: record 2 (line 2) has 2 fields, but the header has 3"]),
        Case(id: "actuals.unterminated-quote", text: header + good + "under30_initial_f2f,2026-Q1,\"87 %\n",
             expected: [":3: unterminated quoted field in record 3 (the quote opened at line 3, column 3)"],
             kept: ("initial_f2f", "78", 2)),
        Case(id: "actuals.unknown-column", text: "target,period,value,lähde\ninitial_f2f,2026-Q1,78 %,TEAS\n",
             expected: ["warning: ", ":1:4: unknown column 'lähde'"], exit: 0, kept: ("initial_f2f", "78", 2)),
        Case(id: "actuals.missing-column", text: "target,value\ninitial_f2f,78 %\n",
             expected: [":1: missing required column: 'period'"], kept: nil),
        Case(id: "actuals.empty-file", text: "",
             expected: [":1: missing required columns: 'target', 'period'"], kept: nil),
    ]

    @Test(arguments: cases)
    func goalsReportTheBadRowAndUseTheGoodOnes(_ c: Case) throws {
        let path = BadInput.file("actuals.csv", c.text)
        let r = try BadInput.goals(path)
        #expect(!r.signalled)
        #expect(r.status == c.exit, "\(r.stderr)")
        for e in c.expected {
            let line = e.hasPrefix(":") ? path + e : e
            #expect(r.stderr.contains(line), "missing: \(line)\nstderr:\n\(r.stderr)")
        }
        // The goal table is still written, with the good rows' values.
        let actuals = BadInput.actuals(r)
        #expect(r.stdout.contains("\"goals\""))
        if let k = c.kept {
            #expect(actuals[k.target]?.actual == k.actual, "\(actuals)")
            #expect(actuals[k.target]?.source == "indicator data row \(k.row)", "\(actuals)")
        } else {
            #expect(actuals.isEmpty, "\(actuals)")
        }
    }

    @Test("[actuals.unreadable] --actuals that does not exist: the goals are still shown, without data")
    func unreadableActuals() throws {
        let r = try BadInput.goals("/nonexistent/actuals.csv")
        #expect(r.status == 2)
        #expect(r.stderr.contains("error: /nonexistent/actuals.csv:1: cannot open '/nonexistent/actuals.csv': No such file or directory"))
        #expect(r.stdout.contains("\"goals\""))
        #expect(BadInput.actuals(r).isEmpty)
    }

    @Test("[goals.period-not-a-period] --period that is not a period")
    func aPeriodThatIsNotAPeriod() throws {
        let r = try CLI.run(["goals", BadInput.pk, "--period", "2026-Q5"], env: ["NO_COLOR": "1"])
        #expect(r.status == 2)
        #expect(r.stderr == "linja goals: --period must be 2026, 2026-Q1 or 2026-03, not '2026-Q5'\nRun 'linja goals --help' for usage.\n")
        #expect(r.stdout.isEmpty)
    }

    @Test("[goals.clients-bad-row] goals over client data count the good rows and report the bad one")
    func goalsOverClientDataWithABadRow() throws {
        let path = BadInput.file("c.csv", BadInput.csv(BadInput.row(status: "unemployd")))
        let r = try CLI.run(["goals", BadInput.eks, "--period", "2026-Q1", "--clients", path, "--as-of", BadInput.asOf, "--format", "json"],
                            env: ["NO_COLOR": "1"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("error: \(path):3:6: field 'status': expected one of unemployed, laid_off, short_layoff, employed, student, got 'unemployd'; did you mean 'unemployed'?"))
        // A1 and A3 are both broadly unemployed; the bad row is not counted.
        // Two people is a count under the privacy limit: the actual is hidden
        // (as an object, never a number); the clients counted are 2.
        #expect(BadInput.actuals(r)["broad_unemployment"]?.actual == "[\"hidden\": \"small_count\"]", "\(BadInput.actuals(r))")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(json["clients"] as? Int == 2)
    }
}
