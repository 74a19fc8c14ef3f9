import Foundation
import Linja
import LinjaTools

/// Damages rule files on purpose and checks that `linja check` copes: every
/// prefix at token boundaries, seeded byte flips and insertions, a line of
/// garbage inserted at every line, and declarations cut off in the middle.
/// Run in a process of its own (`linja robustness`), so that a trap (a crash)
/// shows as the process dying, which the test suite treats as a failure.
public struct Robustness {
    public var seed: UInt64 = 1
    public var flips = 15
    public var maxPrefixes = 25
    public var maxGarbageLines = 30
    public var maxCuts = 20

    public init() {}

    public struct Report: Sendable {
        public var inputs = 0
        public var problems: [String] = []
    }

    /// Lines of garbage that cannot be valid in any position.
    public static let garbage = ["@@ ¤¤ !! ??", "rule rule then then", "}} ) ] {{ when", "let = = = 3 kk kk", "\"unterminated"]

    public func run(files: [String], progress: (String) -> Void = { _ in }) -> Report {
        var report = Report()
        var rng = SeededRandom(seed: seed)
        for path in files {
            let abs = Paths.normalize(path)
            let dir = (abs as NSString).deletingLastPathComponent
            let root = (dir as NSString).deletingLastPathComponent
            guard let data = FileManager.default.contents(atPath: abs) else {
                report.problems.append("\(path): cannot read")
                continue
            }
            let bytes = [UInt8](data)
            let shown = Paths.display(abs)
            let file = SourceFile(path: shown, bytes: bytes)
            let lexed = Lexer.lex(file)
            func check(_ b: [UInt8]) -> Policy {
                report.inputs += 1
                return Policy.load(directory: dir, root: root, replacing: [abs: b])
            }
            progress(path)
            // 1. Prefixes at token boundaries.
            let boundaries = lexed.tokens.map(\.end)
            let step = max(1, boundaries.count / maxPrefixes)
            for i in stride(from: 0, to: boundaries.count, by: step) {
                _ = check(Array(bytes[0..<min(bytes.count, boundaries[i])]))
            }
            // 2. Seeded byte flips and insertions.
            for _ in 0..<flips where !bytes.isEmpty {
                var b = bytes
                let at = rng.int(0...(b.count - 1))
                switch rng.int(0...2) {
                case 0: b[at] = UInt8(truncatingIfNeeded: rng.next())
                case 1: b.insert(UInt8(truncatingIfNeeded: rng.next()), at: at)
                default: b.remove(at: at)
                }
                _ = check(b)
            }
            // 3. A line of garbage inserted before a line: an error on that line.
            let strings = lexed.tokens.filter { $0.kind == .string && file.line(of: $0.start) != file.line(of: $0.end) }
            let lineStep = max(1, file.lineCount / maxGarbageLines)
            for line in stride(from: 1, through: file.lineCount, by: lineStep) {
                let offset = file.lineRange(line).lowerBound
                if strings.contains(where: { $0.start < offset && offset < $0.end }) { continue }
                let g = Robustness.garbage[rng.int(0...(Robustness.garbage.count - 1))]
                var b = bytes
                b.insert(contentsOf: Array((g + "\n").utf8), at: min(offset, b.count))
                let p = check(b)
                let errors = p.diagnostics.filter { $0.severity == .error && $0.span.file?.path == shown }
                if !errors.contains(where: { $0.location?.line == line }) {
                    report.problems.append("\(path): garbage inserted at line \(line) gave no error on that line"
                                           + (errors.first.map { " (first error: \($0.location.map(\.description) ?? "?"): \($0.message))" } ?? " (no error at all)"))
                }
            }
            // 4. Cut off in the middle of a declaration: an error on the last line.
            let decls = Parser.parse(file).declarations
            let cutStep = max(1, decls.count / maxCuts)
            for d in stride(from: 0, to: decls.count, by: cutStep).map({ decls[$0] }) {
                let inside = lexed.tokens.filter { $0.start > d.span.start && $0.end < d.span.end }
                guard inside.count > 2 else { continue }
                let cutToken = inside[inside.count / 2]
                let b = Array(bytes[0..<cutToken.end])
                let p = check(b)
                let lastLine = SourceFile(path: shown, bytes: b).line(of: max(0, b.count - 1))
                let errors = p.diagnostics.filter { $0.severity == .error && $0.span.file?.path == shown }
                if errors.isEmpty {
                    // Some cuts leave a complete, shorter declaration (`let x = a` of `let x = a + b`): that is valid text.
                    continue
                }
                if !errors.contains(where: { $0.location?.line == lastLine }) {
                    report.problems.append("\(path): cut at \(file.location(of: cutToken.end)) gave no error on its last line \(lastLine)"
                                           + (errors.first.map { " (first: \($0.location.map(\.description) ?? "?"): \($0.message))" } ?? ""))
                }
            }
        }
        return report
    }
}
