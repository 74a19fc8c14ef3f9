import Foundation
import Linja
import Testing

@testable import LinjaTools

/// The server keeps parses between checks (`ParsedFiles`): only the edited
/// file is parsed again, and the result is the same as a fresh load.
struct LSPParseCacheTests {
    @Test func anUnchangedFileIsParsedOnceAndAChangedOneAgain() throws {
        let rules = try TemporaryRules(miniRules)
        let cache = ParsedFiles()
        let eks = rules.path("eks")
        let first = Policy.load(directory: eks, root: rules.root, parsed: cache)
        let definitions = rules.path("common/definitions.linja")
        let edited = try String(contentsOfFile: definitions, encoding: .utf8) + "let extra = young\n"
        let second = Policy.load(directory: eks, root: rules.root, replacing: [definitions: Array(edited.utf8)], parsed: cache)
        func file(_ p: Policy, _ name: String) -> SourceFile? {
            p.units.flatMap(\.files).first { $0.file.path.hasSuffix(name) }?.file
        }
        #expect(file(first, "client.linja") === file(second, "client.linja"))
        #expect(file(first, "definitions.linja") !== file(second, "definitions.linja"))
        #expect(second.letDef(named: "extra") != nil)
    }

    @Test func aLoadWithTheCacheFindsWhatAFreshLoadFinds() throws {
        var files = miniRules
        files["eks/broken.linja"] = "let x = no_such_name\nrule r when true then flag nothing_like_this\n"
        let rules = try TemporaryRules(files)
        let cache = ParsedFiles()
        for _ in 0..<2 {
            for area in ["common", "eks", "pk"] {
                let cached = Policy.load(directory: rules.path(area), root: rules.root, parsed: cache)
                let fresh = Policy.load(directory: rules.path(area), root: rules.root)
                #expect(cached.diagnostics.map { "\($0.code.rawValue) \($0.location?.description ?? "") \($0.message)" }
                        == fresh.diagnostics.map { "\($0.code.rawValue) \($0.location?.description ?? "") \($0.message)" })
                #expect(cached.fingerprint == fresh.fingerprint)
            }
        }
    }
}
