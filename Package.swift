// swift-tools-version:6.0
import PackageDescription

// Linja: a policy language for Finnish employment areas.
// No package dependencies: the toolchain (Foundation, Dispatch, XCTest,
// Swift Testing) is all this package uses.
let package = Package(
    name: "Linja",
    products: [
        .library(name: "Linja", targets: ["Linja"]),
        .library(name: "LinjaTools", targets: ["LinjaTools"]),
        .executable(name: "linja", targets: ["linja"]),
    ],
    targets: [
        // Source text → checked, compiled policy → decisions.
        .target(name: "Linja"),
        // Formatter, test runner, reports, REPL, generator, benchmark.
        .target(name: "LinjaTools", dependencies: ["Linja"]),
        // The thin command-line front end.
        .executableTarget(name: "linja", dependencies: ["Linja", "LinjaTools"]),
        // Golden diagnostics fixtures are read through #filePath, not bundled.
        .testTarget(name: "LinjaTests", dependencies: ["Linja"], exclude: ["Golden/Diagnostics"]),
        // Formatter golden files are read through #filePath, not bundled.
        .testTarget(name: "LinjaToolsTests", dependencies: ["Linja", "LinjaTools"], exclude: ["Format/Golden", "REPL/Transcripts"]),
        // Inputs found by fuzzing (fuzz/), read through #filePath, not bundled.
        .testTarget(name: "CLITests", dependencies: ["linja"], exclude: ["Regression"]),
    ]
)
