import Foundation
import LinjaTestSupport
import Testing
import Linja
import LinjaTools

/// `linja run` reads a file in byte ranges on several workers (issue 18).
/// Whatever the thread count and wherever the ranges are cut, everything it
/// writes must be the same: the output, the rejected rows with their
/// reasons and fields, the warnings, the counts. These tests cut ranges
/// every few bytes (so that records, quoted line breaks, CRLF pairs and
/// byte-order marks straddle cuts) and compare every run with one thread
/// reading the whole file as one range.
struct RunPipelineTests {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let policy: Policy = Policy.load(directory: root + "/rules/etela-keski-suomi", root: root + "/rules")

    static let header = "id,municipality,birth_date,job_search_started,unemployed_since,status,immigrant,partial_work_ability,disabled,long_term_ill,in_services"

    /// A good row with the given id and municipality.
    static func row(_ id: String, _ municipality: String = "Keuruu", since: String = "2025-12-01") -> String {
        "\(id),\(municipality),1990-01-01,2026-03-25,\(since),unemployed,false,false,false,false,false"
    }

    /// Everything a run writes.
    struct Written: Equatable, CustomStringConvertible {
        var output: [UInt8]
        var rejects: [String]
        var warnings: [String]
        var counts: String

        var description: String {
            "output \(output.count) bytes\n" + rejects.joined(separator: "\n") + "\nwarnings: " + warnings.joined(separator: "\n") + "\n" + counts
        }
    }

    static func run(_ path: String, threads: Int, chunkBytes: Int, format: RunPipeline.Format = .jsonl,
                    summary: Bool = false, inputFormat: ClientReader.Format? = nil) throws -> Written {
        let reader = try ClientReader(path: path, policy: policy, format: inputFormat)
        var options = RunPipeline.Options()
        options.threads = threads
        options.chunkBytes = chunkBytes
        options.format = summary ? .json : format
        options.summary = summary
        let pipeline = RunPipeline(policy: policy, asOf: Day(year: 2026, month: 3, day: 31) ?? Day(number: 0), options: options)
        var written = Written(output: [], rejects: [], warnings: reader.warnings.map(\.description), counts: "")
        pipeline.run(reader, out: { written.output += $0 }, reject: { issue, fields in
            written.rejects.append(issue.description + " | " + fields.joined(separator: "¦"))
        }, warn: { written.warnings.append($0.description) })
        if summary { written.output += Array(pipeline.summary.json(counts: pipeline.counts).pretty.utf8) }
        let c = pipeline.counts
        written.counts = "read \(c.read) decided \(c.decided) rejected \(c.rejected) failed \(c.failed)"
        return written
    }

    static func file(_ name: String, _ bytes: [UInt8]) -> String {
        let dir = Scratch.root + "linja-run-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/" + name
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)), "cannot write a test file")
        return path
    }

    /// A CSV file with everything that makes reading hard.
    static let hardCSV: [UInt8] = {
        var lines: [String] = [header]
        for i in 1...40 { lines.append(row("A\(i)", i % 3 == 0 ? "Jämsä" : "Keuruu")) }
        lines.insert(row("A5"), at: 30)                                       // repeats row 6, many chunks later
        lines.insert("A50,Keuruu,31.2.1990,2026-03-25,,unemployed,false,false,false,false,false", at: 12) // a bad date
        lines.insert("\"Q1\nsecond line\",Keuruu,1990-01-01,2026-03-25,,unemployed,false,false,false,false,false", at: 8)
        lines.insert("", at: 20)                                              // a blank line
        lines.insert("A60,Keuruu,1990-01-01", at: 25)                          // ragged
        lines.insert("A61,\"Keuruu,1990-01-01,2026-03-25,,unemployed,false,false,false,false,false", at: 33) // a stray quote
        lines.insert("A62,Ke\"uruu,1990-01-01,2026-03-25,,unemployed,false,false,false,false,false", at: 36)
        var text = lines.joined(separator: "\n") + "\n"
        // CRLF on some lines.
        text = text.replacingOccurrences(of: "A2,", with: "A2X,").replacingOccurrences(of: "A7,Keuruu,1990-01-01,2026-03-25,2025-12-01,unemployed,false,false,false,false,false\n",
                                                                                   with: "A7,Keuruu,1990-01-01,2026-03-25,2025-12-01,unemployed,false,false,false,false,false\r\n")
        var bytes = [0xEF, 0xBB, 0xBF] + Array(text.utf8)
        // A byte-order mark in the middle, before a row repeating A3.
        bytes += [0xEF, 0xBB, 0xBF] + Array((row("A3") + "\r\n").utf8)
        bytes += Array((row("A99", "Multia") + "\n").utf8)
        return bytes
    }()

    static let chunkSizes = [1, 2, 7, 64, 300, 1 << 20]

    @Test func idsAreWrittenAsJSONStringsWhateverTheyHold() throws {
        // Plain ids are copied as they are; a quote, a backslash or a
        // control character is escaped; letters beyond ASCII stay as UTF-8.
        let ids = ["A1", "Äijä-7", "say \"\"hi\"\"", "back\\slash", "tab\there", "ok"]
        let text = ([Self.header] + ids.map { id in
            Self.row(id.contains("\"") || id.contains("\t") ? "\"\(id)\"" : id, "Jämsä") }).joined(separator: "\n") + "\n"
        let path = Self.file("ids.csv", Array(text.utf8))
        for threads in [1, 2] {
            let w = try Self.run(path, threads: threads, chunkBytes: 64)
            var read: [String] = []
            for line in String(decoding: w.output, as: UTF8.self).split(separator: "\n") {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                read.append(try #require(object["id"] as? String))
                #expect(object["municipality"] as? String == "Jämsä")
            }
            #expect(read == ["A1", "Äijä-7", "say \"hi\"", "back\\slash", "tab\there", "ok"], "\(threads) threads")
        }
    }

    @Test func aHardCSVFileIsReadTheSameWithAnyThreadsAndCuts() throws {
        let path = Self.file("hard.csv", Self.hardCSV)
        let reference = try Self.run(path, threads: 1, chunkBytes: 1 << 20)
        for threads in [1, 2, 4] {
            for size in Self.chunkSizes {
                let w = try Self.run(path, threads: threads, chunkBytes: size)
                #expect(w == reference, "threads \(threads), chunks of \(size) bytes:\n\(w)\nagainst\n\(reference)")
            }
        }
        // What the reference says, so that "the same" is also "right".
        // Rows as a spreadsheet shows them: the quoted line break in Q1 makes
        // every later row's line one more than its row.
        #expect(reference.counts == "read 48 decided 42 rejected 6 failed 0", "\(reference)")
        let rejected = reference.rejects.map { r in
            r.split(separator: ":").dropFirst().prefix(2).filter { $0.allSatisfy(\.isNumber) }.joined(separator: ":")
        }
        #expect(rejected == ["14:3", "26", "34:2", "36:1", "37:2", "49:1"], "\(reference)")
        #expect(reference.rejects[1].contains(":26: the row has 3 fields, the header 11 (line 27) | A60¦Keuruu¦1990-01-01"))
        // The stray quote in A61: its line is rejected with its text, and the
        // rows it would have swallowed are read.
        #expect(reference.rejects[2].contains(":34:2: the quoted field opened here runs over several lines"), "\(reference)")
        #expect(reference.rejects[2].hasSuffix("(line 35) | A61,\"Keuruu,1990-01-01,2026-03-25,,unemployed,false,false,false,false,false"),
                "\(reference)")
        #expect(reference.rejects[3].contains(":36:1: field 'id': duplicate id 'A5' (first on row 6) (line 37) | A5¦Keuruu¦"))
        #expect(reference.rejects[4].contains(":37:2: quote inside an unquoted field"))
        // The byte-order mark in the middle is not part of the id: A3 repeats.
        #expect(reference.rejects[5].contains(":49:1: field 'id': duplicate id 'A3' (first on row 4) (line 50)"))
    }

    @Test func aSummaryIsTheSameWithAnyThreadsAndCuts() throws {
        let path = Self.file("hard.csv", Self.hardCSV)
        let reference = try Self.run(path, threads: 1, chunkBytes: 1 << 20, summary: true)
        for threads in [2, 4] {
            for size in [7, 300] {
                #expect(try Self.run(path, threads: threads, chunkBytes: size, summary: true) == reference)
            }
        }
    }

    @Test func theFinnishDialectIsReadTheSameWithAnyThreadsAndCuts() throws {
        let text = Self.hardCSVText(separator: ";").replacingOccurrences(of: "1990-01-01", with: "1.1.1990")
        let path = Self.file("fi.csv", Array(text.utf8))
        let reference = try Self.run(path, threads: 1, chunkBytes: 1 << 20, format: .csv)
        #expect(reference.counts == "read 41 decided 41 rejected 0 failed 0", "\(reference)")
        for threads in [2, 4] {
            for size in [1, 7, 300] {
                #expect(try Self.run(path, threads: threads, chunkBytes: size, format: .csv) == reference)
            }
        }
    }

    static func hardCSVText(separator: String) -> String {
        var lines: [String] = [header]
        for i in 1...40 { lines.append(row("F\(i)", i % 2 == 0 ? "Mänttä-Vilppula" : "Keuruu")) }
        lines.insert("\"F41;x\",Keuruu,1990-01-01,2026-03-25,,unemployed,false,false,false,false,false", at: 5)
        return lines.joined(separator: "\r\n").replacingOccurrences(of: ",", with: separator) + "\r\n"
    }

    static let hardJSONL: [UInt8] = {
        func line(_ id: String, extra: String = "") -> String {
            #"{"id":"\#(id)","municipality":"Keuruu","birth_date":"1990-01-01","job_search_started":"2026-03-25","unemployed_since":"2025-12-01","status":"unemployed","immigrant":false,"partial_work_ability":false,"disabled":false,"long_term_ill":false,"in_services":false\#(extra)}"#
        }
        var lines: [String] = []
        for i in 1...30 { lines.append(line("J\(i)")) }
        lines.insert(line("J40", extra: #","unemployed_sinc":"2025-01-01""#), at: 4)      // unknown key
        lines.insert(line("J41", extra: #","kotikunta":"Jämsä""#), at: 9)                // two keys, one field
        lines.insert("[1,2]", at: 12)
        lines.insert("", at: 14)
        lines.insert(line("J3"), at: 20)                                                 // repeated
        lines.insert(line("J42", extra: #","shoe_size":42"#), at: 25)                    // another unknown key
        return [0xEF, 0xBB, 0xBF] + Array((lines.joined(separator: "\n") + "\n").utf8)
    }()

    @Test func aJSONLinesFileIsReadTheSameWithAnyThreadsAndCuts() throws {
        let path = Self.file("hard.jsonl", Self.hardJSONL)
        let reference = try Self.run(path, threads: 1, chunkBytes: 1 << 20)
        for threads in [1, 2, 4] {
            for size in [1, 13, 200] {
                let w = try Self.run(path, threads: threads, chunkBytes: size)
                #expect(w == reference, "threads \(threads), chunks of \(size) bytes:\n\(w)\nagainst\n\(reference)")
            }
        }
        #expect(reference.warnings.count == 2, "\(reference)")
        #expect(reference.warnings.first?.hasSuffix(":5:12: unknown key 'unemployed_sinc' is ignored; did you mean 'unemployed_since'?") == true,
                "\(reference)")
        #expect(reference.rejects.contains { $0.contains(":10:12: field 'municipality': two keys give this field ('municipality' and 'kotikunta')") },
                "\(reference)")
        #expect(reference.rejects.contains { $0.contains("duplicate id 'J3' (first on row 3)") }, "\(reference)")
    }

    @Test func standardInputIsReadInRangesTooAndTheSame() throws {
        let reference = try Self.run(Self.file("hard.csv", Self.hardCSV), threads: 1, chunkBytes: 1 << 20)
        for threads in [1, 3] {
            var fds: [Int32] = [0, 0]
            try #require(pipe(&fds) == 0)
            let bytes = Self.hardCSV
            let writeEnd = fds[1]
            let writer = Thread {
                bytes.withUnsafeBytes { b in
                    var done = 0
                    while done < b.count {
                        let n = Foundation.write(writeEnd, b.baseAddress! + done, min(5, b.count - done))
                        if n <= 0 { break }
                        done += n
                    }
                }
                close(writeEnd)
            }
            writer.start()
            let w = try Self.run("/dev/fd/\(fds[0])", threads: threads, chunkBytes: 16, inputFormat: .csv)
            close(fds[0])
            #expect(w.output == reference.output)
            #expect(w.rejects == reference.rejects.map { $0.replacingOccurrences(of: reference.rejects.first?.split(separator: ":").first.map(String.init) ?? "", with: "/dev/fd/\(fds[0])") })
            #expect(w.counts == reference.counts)
        }
    }
}
