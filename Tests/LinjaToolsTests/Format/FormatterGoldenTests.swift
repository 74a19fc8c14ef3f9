import Foundation
import Linja
import Testing
@testable import LinjaTools

/// Golden files: each `Golden/x.linja` formats to `Golden/x.linja.formatted`.
/// Set LINJA_UPDATE_GOLDEN=1 to write the `.formatted` files from the
/// formatter's output (then read the diff before committing it).
struct FormatterGoldenTests {
    static let inputs: [String] = FormatSupport.linjaFiles(under: FormatSupport.goldenDirectory)
        .map { URL(fileURLWithPath: $0).lastPathComponent }

    @Test func everyConstructFamilyHasAGoldenFile() {
        for family in ["rules", "records", "goals", "tests", "comments", "expressions", "names", "literals"] {
            #expect(Self.inputs.contains(family + ".linja"), "no golden file for \(family)")
        }
    }

    @Test(arguments: inputs)
    func goldenInputFormatsToItsFormattedFile(_ name: String) throws {
        let inputPath = FormatSupport.goldenDirectory.appendingPathComponent(name).path
        let expectedPath = inputPath + ".formatted"
        let input = try #require(FormatSupport.read(inputPath))
        let result = FormatSupport.format(input, path: name)
        guard case .success(let output) = result else {
            Issue.record("\(name) did not format: \(result)")
            return
        }
        if ProcessInfo.processInfo.environment["LINJA_UPDATE_GOLDEN"] == "1" {
            try output.write(toFile: expectedPath, atomically: true, encoding: .utf8)
        }
        let expected = try #require(FormatSupport.read(expectedPath), "missing \(name).formatted")
        #expect(output == expected, "\(name): \(FormatSupport.firstDifference(expected, output))")
        #expect(FormatSupport.problems(original: input, formatted: output) == [])
    }

    @Test(arguments: inputs)
    func goldenFormattedFileIsAFixedPoint(_ name: String) throws {
        let path = FormatSupport.goldenDirectory.appendingPathComponent(name + ".formatted").path
        let formatted = try #require(FormatSupport.read(path))
        #expect(FormatSupport.format(formatted, path: name) == .success(formatted))
    }
}
