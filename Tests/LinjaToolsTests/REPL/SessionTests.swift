// The REPL session driven through the library: transcripts (input lines
// and the output expected after each) and a few direct checks.
//
// A transcript in Transcripts/ reads like a session on a terminal:
// `linja> ` starts an input line, `...> ` a line that continues one, every
// other line is output. Lines starting with `#` before the first input say
// what the transcript pins down. In expected output, `…` stands for any
// text, and a line holding only `…` for any number of lines (for tables
// owned by other commands, and counts and line numbers of rule files that
// grow).
// `$RULES` is the repository's rules directory, `$TMP` a directory holding
// the client files below; output paths under the repository are shown
// relative to it. Set LINJA_UPDATE_TRANSCRIPTS=1 to rewrite the files from
// what the session prints (then read the diff).

import Foundation
import Linja
import Testing

@testable import LinjaTools

// MARK: - Fixtures

enum ReplFixtures {
    /// The package root, found from this file.
    static let packageRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static var rules: String { packageRoot + "/rules" }
    static var transcripts: String { URL(fileURLWithPath: #filePath).deletingLastPathComponent().path + "/Transcripts" }

    /// Clients in the record's canonical columns (rules/common/client.linja).
    static let clientsCSV = """
        id,municipality,birth_date,job_search_started,unemployed_since,status,immigrant,partial_work_ability,disabled,long_term_ill,in_services,plan_updated_on,initial_interview_on
        EKS-00001,Jämsä,1985-06-15,2025-06-01,2025-06-01,unemployed,false,false,false,false,false,2026-04-01,2025-06-05
        EKS-00002,Keuruu,1990-03-10,2026-02-10,2026-02-15,unemployed,false,false,false,false,false,2026-04-20,2026-02-12
        EKS-00003,Keuruu,2001-11-30,2026-04-25,2026-04-25,short_layoff,false,false,false,false,false,,
        EKS-00004,Keuruu,1970-01-01,2025-09-01,2025-09-01,laid_off,false,false,false,false,false,2026-03-15,2025-09-03
        EKS-00005,Mänttä-Vilppula,1995-05-05,2026-04-20,,unemployed,true,false,false,false,false,,2026-04-22

        """

    /// A file with a bad row (row 3: a date that is not one).
    static let badCSV = """
        id,municipality,birth_date,job_search_started,unemployed_since,status,immigrant,partial_work_ability,disabled,long_term_ill,in_services
        B-1,Keuruu,1990-01-01,2026-01-01,2026-01-01,unemployed,false,false,false,false,false
        B-2,Keuruu,1990-02-30,2026-01-01,2026-01-01,unemployed,false,false,false,false,false

        """

    /// A fresh directory with `clients.csv` and `bad.csv`.
    static func temporaryDirectory() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("linja-repl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try clientsCSV.write(to: directory.appendingPathComponent("clients.csv"), atomically: true, encoding: .utf8)
        try badCSV.write(to: directory.appendingPathComponent("bad.csv"), atomically: true, encoding: .utf8)
        return directory.path
    }

    static let asOf = Day(year: 2026, month: 5, day: 1) ?? Day(number: 0)
}

/// A session whose output is collected.
final class RecordingSession {
    final class Collected {
        var text = ""
    }

    private let collected = Collected()
    let session: ReplSession
    var output: String { collected.text }

    init(asOf: Day? = ReplFixtures.asOf, clients: String? = nil) {
        let collected = self.collected
        session = ReplSession(asOf: asOf, today: ReplFixtures.asOf, clients: clients) { text in
            collected.text += text
        }
    }

    /// Submits lines and returns what they printed.
    @discardableResult
    func run(_ lines: String...) -> String {
        let start = output.endIndex
        for line in lines { _ = session.submit(line) }
        return String(output[start...])
    }
}

// MARK: - Transcripts

/// A transcript file: comment lines, then inputs each with the output expected after it.
struct Transcript {
    /// One input line and the lines expected after it.
    struct Block {
        var input: String
        var continues: Bool
        var expected: [String]
    }

    var comments: [String]
    var blocks: [Block]

    static let prompt = "linja> "
    static let continuation = "...> "
    /// In an expected line, any text; a line holding only this, any lines.
    static let wildcard = "…"

    init(text: String) {
        comments = []
        blocks = []
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The file's final newline does not end an empty output line.
        if lines.last == "" { lines.removeLast() }
        for line in lines {
            if line.hasPrefix(Self.prompt) {
                blocks.append(Block(input: String(line.dropFirst(Self.prompt.count)), continues: false, expected: []))
            } else if line.hasPrefix(Self.continuation) {
                blocks.append(Block(input: String(line.dropFirst(Self.continuation.count)), continues: true, expected: []))
            } else if blocks.isEmpty {
                comments.append(line)
            } else {
                blocks[blocks.count - 1].expected.append(line)
            }
        }
    }

    /// Whether output lines match expected ones: `…` alone matches any run
    /// of lines, `…` inside a line any text.
    static func matches(_ expected: [String], _ actual: [String]) -> Bool {
        func go(_ i: Int, _ j: Int) -> Bool {
            if i == expected.count { return j == actual.count }
            if expected[i] == wildcard {
                for k in j...actual.count where go(i + 1, k) { return true }
                return false
            }
            return j < actual.count && lineMatches(expected[i], actual[j]) && go(i + 1, j + 1)
        }
        return go(0, 0)
    }

    static func lineMatches(_ pattern: String, _ line: String) -> Bool {
        let parts = pattern.components(separatedBy: wildcard)
        guard parts.count > 1 else { return pattern == line }
        guard let first = parts.first, let last = parts.last, line.hasPrefix(first),
              line.count >= first.count + last.count else { return false }
        var rest = Substring(line.dropFirst(first.count))
        for part in parts.dropFirst().dropLast() {
            guard let range = rest.range(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        return rest.hasSuffix(last)
    }

    /// The file text, given each block's output lines.
    func text(outputs: [[String]]) -> String {
        var s = comments.map { $0 + "\n" }.joined()
        for (block, output) in zip(blocks, outputs) {
            s += (block.continues ? Self.continuation : Self.prompt) + block.input + "\n"
            s += output.map { $0 + "\n" }.joined()
        }
        return s
    }
}

/// Each input of a transcript through a new session: the output after each,
/// in lines, with paths made independent of the machine.
func replay(_ transcript: Transcript, temporary: String) -> [[String]] {
    let recorder = RecordingSession()
    var outputs: [[String]] = []
    for block in transcript.blocks {
        let line = block.input.replacingOccurrences(of: "$RULES", with: ReplFixtures.rules)
            .replacingOccurrences(of: "$TMP", with: temporary)
        let before = recorder.output.endIndex
        let status = recorder.session.submit(line)
        let text = String(recorder.output[before...])
            .replacingOccurrences(of: ReplFixtures.packageRoot + "/", with: "")
            .replacingOccurrences(of: temporary, with: "$TMP")
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        outputs.append(lines)
        if status == .quit { break }
    }
    return outputs
}

func transcriptNames() -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: ReplFixtures.transcripts)) ?? []
    return names.filter { $0.hasSuffix(".txt") }.sorted()
}

@Suite struct REPLTranscriptTests {
    /// Every transcript, input by input. With LINJA_UPDATE_TRANSCRIPTS=1 the
    /// blocks that no longer match are rewritten from the session's output
    /// (matching ones, with their `…`, are kept).
    @Test(arguments: transcriptNames())
    func transcriptMatches(_ name: String) throws {
        let path = ReplFixtures.transcripts + "/" + name
        let transcript = Transcript(text: try String(contentsOfFile: path, encoding: .utf8))
        let temporary = try ReplFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        let outputs = replay(transcript, temporary: temporary)
        #expect(outputs.count == transcript.blocks.count, "\(name): the session ended (:quit) before the last input")
        var kept: [[String]] = []
        var differences: [String] = []
        for (block, actual) in zip(transcript.blocks, outputs) {
            if Transcript.matches(block.expected, actual) {
                kept.append(block.expected)
            } else {
                kept.append(actual)
                differences.append("after `\(block.input)`:\n  expected:\n    " + block.expected.joined(separator: "\n    ")
                                   + "\n  got:\n    " + actual.joined(separator: "\n    "))
            }
        }
        if ProcessInfo.processInfo.environment["LINJA_UPDATE_TRANSCRIPTS"] == "1" {
            if !differences.isEmpty { try transcript.text(outputs: kept).write(toFile: path, atomically: true, encoding: .utf8) }
            return
        }
        for difference in differences { Issue.record("\(name): \(difference)") }
    }

    @Test func everyCommandHasATranscript() throws {
        var all = ""
        for name in transcriptNames() {
            all += try String(contentsOfFile: ReplFixtures.transcripts + "/" + name, encoding: .utf8)
        }
        for command in ReplSession.commands {
            #expect(all.contains(Transcript.prompt + ":" + command.name), "no transcript uses :\(command.name)")
        }
    }

    @Test func wildcardsMatchAnyTextOrLines() {
        #expect(Transcript.lineMatches("loaded p: …", "loaded p: 3 rules"))
        #expect(Transcript.lineMatches("a … b … c", "a x b y c"))
        #expect(!Transcript.lineMatches("a … b", "a x c"))
        #expect(Transcript.matches(["x", "…", "z"], ["x", "y1", "y2", "z"]))
        #expect(Transcript.matches(["x", "…"], ["x"]))
        #expect(!Transcript.matches(["x"], ["x", "y"]))
    }
}

// MARK: - Direct checks

@Suite struct REPLSessionTests {
    @Test(arguments: [
        ("(1 +", true), ("unemployed and", true), ("young or", true), ("1 +", true), ("x =", true),
        ("in municipal_coaching:", true), ("let s = \"\"\"", true), ("rule r when young", true),
        ("rule r when young then flag x", false), ("{1, 2", true), ("(1 + 2)", false), ("1 + 1", false),
        ("client.status is", true), ("unemployment > 3 months", false), ("\"unterminated", false),
    ])
    func continuationFollowsOpenBracketsAndTrailingOperators(_ text: String, _ continues: Bool) {
        #expect(ReplSession.continues(text) == continues)
    }

    @Test func aContinuedInputIsHandledWhenComplete() {
        let r = RecordingSession()
        #expect(r.session.submit("(1 +") == .needsMore)
        #expect(r.session.isContinuing)
        #expect(r.session.submit("2)") == .ready)
        #expect(r.output == "3 : integer\n")
    }

    @Test func cancellingDropsTheOpenInput() {
        let r = RecordingSession()
        #expect(r.session.submit("(1 +") == .needsMore)
        r.session.cancelInput()
        #expect(!r.session.isContinuing)
        #expect(r.run("2 * 3") == "6 : integer\n")
    }

    @Test func aCommandDropsAnUnfinishedInput() {
        let r = RecordingSession()
        #expect(r.session.submit("(1 +") == .needsMore)
        #expect(r.run(":as-of") == "(the unfinished input before this command was dropped)\nas of 2026-05-01\n")
        #expect(!r.session.isContinuing)
    }

    @Test func theEndOfInputFinishesAnOpenInput() {
        let r = RecordingSession()
        #expect(r.session.submit("1 +") == .needsMore)
        r.session.finishInput()
        #expect(r.output.contains("error[L201]"))
        #expect(r.session.errorCount == 1)
    }

    @Test func quitEndsTheSession() {
        let r = RecordingSession()
        #expect(r.session.submit(":quit") == .quit)
        #expect(r.session.submit(":q") == .quit)
    }

    @Test func errorsAreCountedForScripts() {
        let r = RecordingSession()
        r.run("1 + 1", "nosuchname", ":nosuchcommand", ":set x 1")
        #expect(r.session.errorCount == 3)
    }

    @Test func completionOffersCommandsAfterAColon() {
        let r = RecordingSession()
        #expect(r.session.completions(line: ":wh", cursor: 3) == [":why", ":why-not"])
        #expect(r.session.completions(line: ":rel", cursor: 4) == [":reload"])
        #expect(r.session.completions(line: ":client l", cursor: 9) == ["like"])
    }

    @Test func completionOffersNamesOfThePolicy() {
        let r = RecordingSession()
        r.run(":load \(ReplFixtures.rules)/etela-keski-suomi")
        let s = r.session
        #expect(s.completions(line: "career_guidance_a", cursor: 17) == ["career_guidance_after", "career_guidance_after_3_months"])
        #expect(s.completions(line: "Petä", cursor: 4) == ["Petäjävesi"])
        #expect(s.completions(line: "x in Mänttä-", cursor: 12) == ["Mänttä-Vilppula"])
        #expect(s.completions(line: "client.unemp", cursor: 12) == ["client.unemployed_since"])
        #expect(s.completions(line: "unemploy", cursor: 8) == ["unemployed", "unemployment"])
        #expect(s.completions(line: ":set unemp", cursor: 10) == ["unemployed_since"])
        #expect(s.completions(line: ":set status la", cursor: 14) == ["laid_off"])
        #expect(s.completions(line: ":why career", cursor: 11) == ["career_guidance"])
        #expect(s.completions(line: ":why assess sk", cursor: 14) == ["skills_development"])
        #expect(s.completions(line: ":show new_cl", cursor: 12) == ["new_client", "new_client_window"])
    }

    @Test func completionOffersPathsForLoad() {
        let r = RecordingSession()
        let word = ReplFixtures.rules + "/etela"
        #expect(r.session.completions(line: ":load " + word, cursor: 6 + word.count) == [ReplFixtures.rules + "/etela-keski-suomi/"])
    }

    @Test func aClientsFileGivenAtTheStartIsReadByIdAlone() throws {
        let temporary = try ReplFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        let r = RecordingSession(clients: temporary + "/clients.csv")
        r.run(":load \(ReplFixtures.rules)/etela-keski-suomi")
        #expect(r.run(":client from EKS-00004") == "client EKS-00004 (Keuruu) from \(temporary)/clients.csv, row 5; :client shows its fields\n")
        #expect(r.run(":client from 6").hasPrefix("client EKS-00005 (Mänttä-Vilppula)"))
    }

    @Test func reloadKeepsTheLastGoodPolicyWhenTheFilesHaveErrors() throws {
        let temporary = try ReplFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        let policy = temporary + "/policy"
        try FileManager.default.createDirectory(atPath: policy, withIntermediateDirectories: true)
        let file = policy + "/p.linja"
        try "param limit = 3 months\n".write(toFile: file, atomically: true, encoding: .utf8)
        let r = RecordingSession()
        #expect(r.run(":load \(policy)").hasPrefix("loaded policy: 0 rules"))
        #expect(r.run("limit") == "3 months : duration in months\n")
        try "param limit = 3 monts\n".write(toFile: file, atomically: true, encoding: .utf8)
        let failed = r.run(":reload")
        #expect(failed.contains("error[L105]"))
        #expect(failed.hasSuffix("kept policy as it was last loaded\n"))
        #expect(r.run("limit") == "3 months : duration in months\n")
        try "param limit = 4 months\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(r.run(":reload").hasPrefix("reloaded policy"))
        #expect(r.run("limit") == "4 months : duration in months\n")
        #expect(r.run(":goals 2026") == "policy declares no goals\n")
    }

    @Test func expressionsUseTheFilesAsLoadedUntilReload() throws {
        let temporary = try ReplFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        let policy = temporary + "/policy"
        try FileManager.default.createDirectory(atPath: policy, withIntermediateDirectories: true)
        let file = policy + "/p.linja"
        try "param limit = 3 months\n".write(toFile: file, atomically: true, encoding: .utf8)
        let r = RecordingSession()
        r.run(":load \(policy)")
        try "param limit = 5 months\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(r.run("limit") == "3 months : duration in months\n")
    }

    @Test func reloadDropsSessionDeclarationsThatNoLongerCheck() throws {
        let temporary = try ReplFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        let policy = temporary + "/policy"
        try FileManager.default.createDirectory(atPath: policy, withIntermediateDirectories: true)
        let file = policy + "/p.linja"
        try "param limit = 3 months\n".write(toFile: file, atomically: true, encoding: .utf8)
        let r = RecordingSession()
        r.run(":load \(policy)")
        #expect(r.run("let twice = limit * 2") == "let twice = 6 months : duration in months\n")
        try "param other = 3 months\n".write(toFile: file, atomically: true, encoding: .utf8)
        let reloaded = r.run(":reload")
        #expect(reloaded.hasPrefix("dropped let twice typed in this session: it no longer checks\n"))
        #expect(reloaded.contains("error[L401]"))
        #expect(r.run("other") == "3 months : duration in months\n")
    }

    @Test func oddInputIsAnsweredAndTheSessionGoesOn() {
        // Odd input of every kind is answered, never fatal.
        let r = RecordingSession()
        for line in ["", "   ", ":", ":  ", "\"", "\"\"\"", ")", "}", "1 / 0", "9223372036854775807 + 1", ":set", ":show",
                     ":why", ":why-not", ":client from", ":goals", ":type", ":as-of x", "let", "rule", "rule x then", "#",
                     "2026-02-30", "ä", "\u{0}", ":load \u{0}"] {
            _ = r.session.submit(line)
            r.session.finishInput()
        }
        #expect(r.session.submit("1 + 1") == .ready)
        #expect(r.output.hasSuffix("2 : integer\n"))
    }
}
