import Foundation
import Linja
import Testing

@testable import LinjaTools

struct LSPHoverTests {
    @Test func hoverOnAParamShowsItsTypeLabelSourceAndValueToday() throws {
        let client = try startedClient()
        defer { client.finish() }
        let file = rulesRoot + "/etela-keski-suomi/rules.linja"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try client.open(file)
        let r = try client.request("textDocument/hover", textDocumentPosition(file, position(of: "career_guidance_after", in: text, offset: 3)))
        let md = r.hoverMarkdown
        print(r)
        #expect(md.contains("**param** `career_guidance_after`: duration in months"))
        #expect(md.contains("Työttömyys pitkittyy"))
        #expect(md.contains("Value in force today (2026-05-01): **3 months**"))
        #expect(md.contains("Source: seed 003"))
    }
}
