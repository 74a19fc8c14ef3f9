import Foundation
import Linja
import Testing

@testable import LinjaTools

/// The repository's rules tree.
let rulesRoot: String = {
    let here = URL(fileURLWithPath: #filePath)
    return here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("rules").path
}()

/// A fixed "today" for hovers: 1 May 2026.
let testToday = Day(year: 2026, month: 5, day: 1) ?? Day(number: 0)

/// A client with a server running in this process, initialized.
func startedClient(today: Day = testToday) throws -> LSPPipeClient {
    let client = LSPPipeClient(configuration: .init(today: { today }))
    try client.initialize()
    return client
}

/// A temporary rules tree: each entry is a relative path and its text.
final class TemporaryRules {
    let root: String
    init(_ files: [String: String]) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("linja-lsp-\(UUID().uuidString)").path
        for (path, text) in files {
            let full = root + "/" + path
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
    }
    func path(_ relative: String) -> String { Paths.normalize(root + "/" + relative) }
    deinit { try? FileManager.default.removeItem(atPath: root) }
}

/// The UTF-16 position of the first occurrence of `needle` in `text`
/// (`after` skips that many earlier occurrences), plus `offset` units.
func position(of needle: String, in text: String, occurrence: Int = 0, offset: Int = 0) -> LSPPosition {
    var searchFrom = text.startIndex
    var found: Range<String.Index>?
    for _ in 0...occurrence {
        guard let r = text.range(of: needle, range: searchFrom..<text.endIndex) else { return LSPPosition(line: -1, character: -1) }
        found = r
        searchFrom = r.upperBound
    }
    guard let r = found else { return LSPPosition(line: -1, character: -1) }
    let before = text[..<r.lowerBound]
    let line = before.filter { $0 == "\n" }.count
    let lineStart = before.lastIndex(of: "\n").map { text.index(after: $0) } ?? text.startIndex
    return LSPPosition(line: line, character: text[lineStart..<r.lowerBound].utf16.count + offset)
}

func textDocumentPosition(_ path: String, _ p: LSPPosition) -> JSONValue {
    ["textDocument": ["uri": .string(DocumentURI.uri(path))], "position": p.json]
}

extension JSONValue {
    /// The markdown of a hover result.
    var hoverMarkdown: String { self["result"]?["contents"]?["value"]?.string ?? "" }
}

/// A small rules tree like the real one: a shared policy (`common`) and two
/// areas importing it. Small, so that each test's server checks it quickly.
let miniRules: [String: String] = [
    "common/client.linja": """
        ## Asiakkaan tiedot.
        record client "Työnhakija-asiakas" {
          id "Asiakasnumero": text
            default "T-1"
          municipality "Kotikunta": municipality
            column "kotikunta"
          birth_date "Syntymäaika": date
            default 1990-01-01
          unemployed_since "Työttömyyden alkamispäivä": date?
          status "Työnhaun tila": unemployed "työtön" | laid_off "lomautettu"
                                | short_layoff "lyhyt lomautus"
            values { "työtön": unemployed, "lomautettu": laid_off }
            default unemployed
        }

        """,
    "common/definitions.linja": """
        param youth_age_limit "Nuori – alle 30-vuotias" = 30
          source "seed 003: ”Nuoret töihin”"

        param guidance_after "Työttömyys pitkittyy" = 3 months
          from 2027-01-01 = 2 months
          source "seed 003: 'Jos työttömyys pitkittyy yli 3 kk'"
          assumption "luettu kalenterikuukausina"

        let unemployed "Työtön työnhakija" = client.status is unemployed
        let unemployment "Työttömyyden kesto" = since client.unemployed_since
        let young "Nuori" = age(client.birth_date) < youth_age_limit

        """,
    "common/outcomes.linja": """
        outcome refer documents "Työnhaun asiakirjat näytetään"
          to area_coach "valmentaja", municipal_coach "kunnan valmentaja"
        outcome assess guidance "Uraohjauksen tarpeen arviointi"
        outcome flag young_client "Nuori asiakas"

        """,
    "common/rules.linja": """
        rule young_flag "Nuori – ”alle 30”"
          when young and unemployed
          then flag young_client

        """,
    "eks/area.linja": """
        import "../common"

        area eks "Eteläisen Keski-Suomen työllisyysalue" {
          responsible Jämsä
          municipalities Jämsä code "182", Keuruu code "249", "Mänttä-Vilppula" code "508"
          group municipal_coaching "Kunta tuottaa valmennuksen" = Keuruu, "Mänttä-Vilppula"
        }

        """,
    "eks/rules.linja": """
        rule documents "Työnhaun asiakirjat"
          when unemployed
          unless client.status is short_layoff
          then refer documents to area_coach
          in municipal_coaching:
            then refer documents to municipal_coach

        rule guidance_in_keuruu "Uraohjaus – ”yli 3 kk”"
          in Keuruu, "Mänttä-Vilppula"
          when unemployed and unemployment > guidance_after otherwise false
          then assess guidance

        """,
    "eks/rules_test.linja": """
        fixture keuruu_client "Keuruulainen" { municipality: Keuruu, unemployed_since: 2026-01-15 }

        test "Keuruu: uraohjaus yli 3 kk" {
          as_of 2026-05-01
          client like keuruu_client {}
          expect assess guidance
          expect refer documents to municipal_coach
        }

        test "Jämsä: ei uraohjausta" {
          as_of 2026-05-01
          client like keuruu_client { municipality: Jämsä }
          expect not assess guidance
        }

        """,
    "pk/area.linja": """
        import "../common"

        area pk "Pohjois-Karjalan työllisyysalue" {
          responsible Joensuu
          municipalities Joensuu code "167", Rääkkylä code "707"
        }

        rule documents_pk "Asiakirjat"
          when unemployed
          then refer documents to area_coach

        """,
]

/// The mini rules tree in a temporary directory and an initialized client.
func miniSession(_ changes: [String: String] = [:]) throws -> (TemporaryRules, LSPPipeClient) {
    var files = miniRules
    for (k, v) in changes { files[k] = v }
    let rules = try TemporaryRules(files)
    return (rules, try startedClient())
}

/// The UTF-16 offsets where each line starts and where its text ends (lines
/// end at `\n`, `\r\n` or `\r`, as the protocol says).
func utf16Lines(_ units: [UInt16]) -> [(start: Int, end: Int)] {
    var out: [(start: Int, end: Int)] = []
    var start = 0
    var i = 0
    while i < units.count {
        if units[i] == 10 || units[i] == 13 {
            out.append((start, i))
            if units[i] == 13, i + 1 < units.count, units[i + 1] == 10 { i += 1 }
            start = i + 1
        }
        i += 1
    }
    out.append((start, units.count))
    return out
}

/// Applies protocol text edits to a text (UTF-16 positions), independently
/// of the server's own code. Positions must lie inside the text.
func applying(_ edits: [JSONValue], to text: String) -> String {
    var units = Array(text.utf16)
    let lines = utf16Lines(units)
    func index(_ p: JSONValue?) -> Int {
        let line = p?["line"]?.int ?? 0
        let character = p?["character"]?.int ?? 0
        guard line < lines.count else { return units.count }
        return min(lines[line].start + character, lines[line].end)
    }
    let sorted = edits.sorted {
        let a = ($0["range"]?["start"]?["line"]?.int ?? 0, $0["range"]?["start"]?["character"]?.int ?? 0)
        let b = ($1["range"]?["start"]?["line"]?.int ?? 0, $1["range"]?["start"]?["character"]?.int ?? 0)
        return a > b
    }
    for e in sorted {
        let lo = index(e["range"]?["start"])
        let hi = index(e["range"]?["end"])
        units.replaceSubrange(lo..<max(lo, hi), with: Array((e["newText"]?.string ?? "").utf16))
    }
    return String(decoding: units, as: UTF16.self)
}

extension JSONValue {
    var startPosition: LSPPosition? { LSPPosition(self["range"]?["start"]) }
}
