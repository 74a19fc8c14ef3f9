// check: arbitrary bytes as a rule file, through lexer, parser and checker.
//
// Mutations: libFuzzer's byte-level ones and, half of the time, the
// grammar-aware ones of Mutator.swift.
//
// The input is the only rule file of a policy `p` in a private copy of a
// rules tree that also holds `common` (rules/common) and `_common` (the
// golden fixtures' shared file), so `import "../common"` resolves.
//
// Asserts:
// - lexing, parsing and checking never crash or hang (libFuzzer: -timeout);
// - a file without syntax errors formats (Formatter refuses only a chain
//   longer than Formatter.longestChain, never with `unformattable`);
// - formatting is idempotent: formatting the formatted text changes nothing;
// - a policy that checks clean (no errors) formats, and the formatted file
//   checks clean again with the same diagnostics (code, severity, message).
import Foundation
import Linja
import LinjaTools

enum CheckHarness {
    static let rulesTree = Fuzz.scratch + "/rules"
    static let policyDir = rulesTree + "/p"
    static let inputPath = policyDir + "/input.linja"

    static let setUp: Void = {
        Fuzz.copy(Fuzz.repoRoot + "/rules/common", to: rulesTree + "/common")
        Fuzz.copy(Fuzz.repoRoot + "/Tests/LinjaTests/Golden/Diagnostics/_common", to: rulesTree + "/_common")
        try! FileManager.default.createDirectory(atPath: policyDir, withIntermediateDirectories: true)
        Fuzz.write([], to: inputPath)
    }()

    static func check(_ bytes: [UInt8]) -> Policy {
        Policy.load(directory: policyDir, root: rulesTree, replacing: [inputPath: bytes])
    }

    static func run(_ bytes: [UInt8]) {
        _ = setUp
        let policy = check(bytes)
        // The input's own parse, as the loader did it (no second parse).
        guard let parsed = policy.units.last?.files.first(where: { $0.file.path.hasSuffix("/p/input.linja") }) else {
            Fuzz.fail("the input file is not part of the loaded policy")
        }
        let syntaxClean = !parsed.diagnostics.contains { $0.severity == .error }
        let checkClean = !policy.hasErrors
        Fuzz.log("check: \(syntaxClean ? "syntax clean" : "syntax errors"), \(checkClean ? "checks clean" : "check errors"), "
                 + "\(policy.diagnostics.count) diagnostics\n" + Fuzz.render(policy.diagnostics.prefix(10).map { $0 }))
        if checkClean, !syntaxClean {
            Fuzz.fail("the policy checks clean but its file has syntax errors", Fuzz.render(parsed.diagnostics))
        }
        guard syntaxClean else { return }
        let formatted: String
        switch LinjaTools.Formatter.format(SourceFile(path: "input.linja", bytes: bytes)) {
        case .success(let text):
            formatted = text
        case .failure(let ds):
            if ds.allSatisfy({ $0.code == .nestingTooDeep }) { return }
            Fuzz.fail("a file without syntax errors does not format", Fuzz.render(ds))
        }
        switch LinjaTools.Formatter.format(SourceFile(path: "input.linja", text: formatted)) {
        case .success(let again):
            if again != formatted {
                Fuzz.fail("formatting is not idempotent", "--- formatted once:\n\(formatted)\n--- twice:\n\(again)")
            }
        case .failure(let ds):
            Fuzz.fail("the formatted file does not format", Fuzz.render(ds) + "\n--- formatted:\n\(formatted)")
        }
        guard checkClean else { return }
        let rechecked = check(Array(formatted.utf8))
        let before = policy.diagnostics.map(Fuzz.key).sorted()
        let after = rechecked.diagnostics.map(Fuzz.key).sorted()
        if rechecked.hasErrors || before != after {
            Fuzz.fail("the formatted policy checks differently",
                      "--- before:\n\(Fuzz.render(policy.diagnostics))\n--- after:\n\(Fuzz.render(rechecked.diagnostics))\n--- formatted:\n\(formatted)")
        }
    }
}

/// Half of the mutations are libFuzzer's own byte-level ones, half the
/// grammar-aware ones of Mutator.swift, so the checker sees well-formed
/// declarations as well as broken bytes.
enum MutatorMix { static let byteLevelOneIn = 2 }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    CheckHarness.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
