import Foundation
import Glibc
import Testing

@testable import LinjaTools

struct HistoryTests {
    /// A fresh directory for one test, removed afterwards by the caller.
    private func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("linja-history-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    private func fileLines(_ url: URL) throws -> [String] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .dropLast().map(String.init)
    }

    @Test func linesSurviveASessionRoundTrip() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("history")

        var first = History(fileURL: file)
        try first.load()
        #expect(first.entries.isEmpty)
        try first.add("kunta = Mänttä")
        try first.add("rule a {")
        try first.add("}")

        var second = History(fileURL: file)
        try second.load()
        #expect(second.entries == ["kunta = Mänttä", "rule a {", "}"])
        try second.add("uusi")

        var third = History(fileURL: file)
        try third.load()
        #expect(third.entries == ["kunta = Mänttä", "rule a {", "}", "uusi"])
    }

    @Test func consecutiveDuplicatesAreRecordedOnce() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("history")
        var history = History(fileURL: file)
        #expect(try history.add("a"))
        #expect(try !history.add("a"))
        #expect(try history.add("b"))
        #expect(try history.add("a"))
        #expect(history.entries == ["a", "b", "a"])
        #expect(try fileLines(file) == ["a", "b", "a"])
    }

    @Test func blankLinesAndLinesWithLineBreaksAreNotRecorded() throws {
        var history = History()
        #expect(try !history.add(""))
        #expect(try !history.add("   \t"))
        #expect(try !history.add("two\nlines"))
        #expect(history.entries.isEmpty)
    }

    @Test func theNewestEntriesAreKeptUpToTheCapacity() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("history")
        var history = History(fileURL: file, capacity: 3)
        for line in ["1", "2", "3", "4", "5"] { try history.add(line) }
        #expect(history.entries == ["3", "4", "5"])
        var reloaded = History(fileURL: file, capacity: 3)
        try reloaded.load()
        #expect(reloaded.entries == ["3", "4", "5"])
        #expect(try fileLines(file) == ["3", "4", "5"], "loading cuts the file back to the capacity")
    }

    @Test func theFileIsCompactedWhenItGrowsToTwiceTheCapacity() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("history")
        var history = History(fileURL: file, capacity: 2)
        for line in ["1", "2", "3", "4", "5"] { try history.add(line) }
        #expect(try fileLines(file) == ["4", "5"])
    }

    @Test func loadingCleansUpAHandEditedFile() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("history")
        try Data("a\r\n\n  \nb\nb\nä\n".utf8).write(to: file)
        var history = History(fileURL: file)
        try history.load()
        #expect(history.entries == ["a", "b", "ä"])
    }

    @Test func aMissingFileIsAnEmptyHistory() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var history = History(fileURL: directory.appendingPathComponent("none"))
        try history.load()
        #expect(history.entries.isEmpty)
    }

    @Test func theFileIsCreatedPrivate() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("history")
        var history = History(fileURL: file)
        try history.add("secret = 1")
        var status = stat()
        #expect(stat(file.path, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o600)
    }

    @Test func aWriteFailureIsThrownButTheEntryIsKept() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var history = History(fileURL: directory.appendingPathComponent("missing/history"))
        #expect(throws: HistoryError.self) { try history.add("x") }
        #expect(history.entries == ["x"])
    }

    @Test func aHistoryWithoutAFileStaysInMemory() throws {
        var history = History()
        try history.load()
        try history.add("x")
        #expect(history.entries == ["x"])
    }

    @Test func defaultFileIsLinjaHistoryInHome() {
        let url = History.defaultFileURL(environment: ["HOME": "/home/aino"])
        #expect(url?.path == "/home/aino/.linja_history")
    }

    @Test func linjaHistoryOverridesTheDefaultFile() {
        let url = History.defaultFileURL(environment: ["HOME": "/home/aino", "LINJA_HISTORY": "/tmp/h"])
        #expect(url?.path == "/tmp/h")
    }

    @Test func anEmptyLinjaHistoryDisablesTheFile() {
        #expect(History.defaultFileURL(environment: ["HOME": "/home/aino", "LINJA_HISTORY": ""]) == nil)
        #expect(History.defaultFileURL(environment: [:]) == nil)
    }
}
