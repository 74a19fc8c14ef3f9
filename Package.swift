// swift-tools-version:6.0
import PackageDescription

// Linja: a policy language for Finnish employment areas.
// No package dependencies: the toolchain (Foundation, Dispatch, XCTest,
// Swift Testing) is all this package uses.
//
// The library is layered; each layer is a target and may import only the
// layers before it (README, "How the code is laid out"):
//   LinjaBase → LinjaSyntax → LinjaModel → LinjaSemantics
//                                        → LinjaReference, LinjaRuntime → LinjaData → LinjaGoals → Linja
let package = Package(
    name: "Linja",
    products: [
        .library(name: "Linja", targets: ["Linja"]),
        .library(name: "LinjaTools", targets: ["LinjaTools"]),
        .executable(name: "linja", targets: ["linja"]),
        .executable(name: "linja-dev", targets: ["linja-dev"]),
    ],
    targets: [
        // Source files and spans, diagnostics, dates, exact decimals, JSON, hashing.
        .target(name: "LinjaBase"),
        // Tokens, lexer, syntax tree, parser, precedence.
        .target(name: "LinjaSyntax", dependencies: ["LinjaBase"]),
        // The checked policy: types, values, typed expressions, operators, builtins, value encoding.
        .target(name: "LinjaModel", dependencies: ["LinjaBase", "LinjaSyntax"]),
        // The checker's passes: source text to a checked policy.
        .target(name: "LinjaSemantics", dependencies: ["LinjaBase", "LinjaSyntax", "LinjaModel"]),
        // The reference decision procedure and explanations.
        .target(name: "LinjaReference", dependencies: ["LinjaBase", "LinjaSyntax", "LinjaModel"]),
        // The compiler and the bytecode VM.
        .target(name: "LinjaRuntime", dependencies: ["LinjaBase", "LinjaSyntax", "LinjaModel"]),
        // Client data: CSV and JSON Lines readers, the CSV writer, generated clients.
        .target(name: "LinjaData", dependencies: ["LinjaBase", "LinjaSyntax", "LinjaModel"]),
        // Goals, targets, verdicts and indicator data.
        .target(name: "LinjaGoals", dependencies: ["LinjaBase", "LinjaSyntax", "LinjaModel", "LinjaRuntime", "LinjaData"]),
        // Disclosure control: which counts about people an output may show. Depends on nothing.
        .target(name: "LinjaDisclosure"),
        // Loading a policy from its files; `import Linja` gives every layer.
        .target(name: "Linja", dependencies: [
            "LinjaBase", "LinjaSyntax", "LinjaModel", "LinjaSemantics", "LinjaReference", "LinjaRuntime", "LinjaData", "LinjaGoals",
            "LinjaDisclosure",
        ]),
        // What the commands do: run, reports, formatter, test runner, REPL, diff.
        .target(name: "LinjaTools", dependencies: ["Linja"]),
        // Tools for Linja's developers: benchmark, robustness, differential testing, stress inputs.
        .target(name: "LinjaDevTools", dependencies: ["Linja", "LinjaTools"]),
        // The thin command-line front ends: the user's and the developers'.
        .executableTarget(name: "linja", dependencies: ["Linja", "LinjaTools"]),
        .executableTarget(name: "linja-dev", dependencies: ["Linja", "LinjaTools", "LinjaDevTools"]),
        // What several test targets share: an attacker on disclosed tables, written apart from the library's check;
        // the scratch directory every test writes its files in, removed when the tests end.
        .target(name: "LinjaTestSupport", dependencies: ["LinjaDisclosure"], path: "Tests/LinjaTestSupport"),
        // Golden diagnostics fixtures and evaluation cases are read through #filePath, not bundled.
        .testTarget(name: "LinjaTests", dependencies: ["Linja", "LinjaTestSupport"], exclude: ["Golden/Diagnostics", "Evaluation/Cases"]),
        // Formatter golden files are read through #filePath, not bundled.
        .testTarget(name: "LinjaToolsTests", dependencies: ["Linja", "LinjaTools", "LinjaTestSupport"], exclude: ["Format/Golden", "REPL/Transcripts"]),
        // Inputs found by fuzzing (fuzz/), read through #filePath, not bundled.
        .testTarget(name: "CLITests", dependencies: ["linja", "linja-dev", "LinjaDevTools", "LinjaTestSupport"], exclude: ["Regression"]),
    ]
)
