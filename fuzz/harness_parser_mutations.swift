// parser_mutations: the lexer, parser and formatter on grammar-aware
// mutations of real rule files.
//
// Mutations come from the grammar-aware mutator in Mutator.swift (whole
// tokens and lines, dictionary words, lines of rules/); one in eight is
// left to libFuzzer's byte-level mutator. The seed corpus is every .linja
// file under rules/ and Tests/.
//
// Asserts, beyond "no crash, no hang":
// - parsing twice gives the same tree and the same diagnostics;
// - a file without syntax errors formats (Formatter refuses only a chain
//   longer than Formatter.longestChain, never with `unformattable`), and
//   formatting is idempotent;
// - the formatted text parses to the same tree (the formatter checks this
//   itself and would refuse; this harness fails on any refusal).
import Foundation
import Linja
import LinjaTools

enum ParserHarness {
    static func run(_ bytes: [UInt8]) {
        let file = SourceFile(path: "input.linja", bytes: bytes)
        let parsed = Parser.parse(file)
        let again = Parser.parse(SourceFile(path: "input.linja", bytes: bytes))
        if again.declarations != parsed.declarations || again.diagnostics.map(Fuzz.key) != parsed.diagnostics.map(Fuzz.key) {
            Fuzz.fail("parsing the same bytes twice differs")
        }
        let syntaxClean = !parsed.diagnostics.contains { $0.severity == .error }
        Fuzz.log("parser: \(parsed.declarations.count) declarations, \(syntaxClean ? "syntax clean" : "syntax errors")\n"
                 + Fuzz.render(Array(parsed.diagnostics.prefix(10))))
        guard syntaxClean else { return }
        switch LinjaTools.Formatter.format(file) {
        case .success(let formatted):
            switch LinjaTools.Formatter.format(SourceFile(path: "input.linja", text: formatted)) {
            case .success(let twice):
                if twice != formatted { Fuzz.fail("formatting is not idempotent", "--- once:\n\(formatted)\n--- twice:\n\(twice)") }
            case .failure(let ds):
                Fuzz.fail("the formatted file does not format", Fuzz.render(ds) + "\n--- formatted:\n\(formatted)")
            }
        case .failure(let ds):
            if ds.allSatisfy({ $0.code == .nestingTooDeep }) { return }
            Fuzz.fail("a file without syntax errors does not format", Fuzz.render(ds))
        }
    }
}

/// One mutation in `byteLevelOneIn` is libFuzzer's own (Mutator.swift).
enum MutatorMix { static let byteLevelOneIn = 8 }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    ParserHarness.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
