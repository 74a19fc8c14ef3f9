import Foundation
import Linja

/// Mutation testing: each number, percentage, duration and date literal in
/// params, lets and rules moved by one unit both ways (3 months → 2 and 4;
/// 30 → 29 and 31; a date by a day), and each `>` / `<` swapped with `>=` /
/// `<=`. A mutant that still checks and passes every test is a threshold no
/// test pins down.
public struct Mutant: Sendable {
    public var path: String
    public var location: SourceLocation
    public var original: String
    public var replacement: String
    public var declaration: String
    public var description: String { "\(location): \(original) → \(replacement) (in \(declaration))" }
}

public enum MutationTester {
    /// The mutants of every rule file the policy reads.
    public static func mutants(of policy: Policy) -> [(Mutant, absolutePath: String, bytes: [UInt8])] {
        var out: [(Mutant, String, [UInt8])] = []
        for unit in policy.units {
            for pf in unit.files {
                let file = pf.file
                let absolute = Paths.normalize(unit.directory + "/" + (file.path as NSString).lastPathComponent)
                var ranges: [(Range<Int>, String)] = []
                for d in pf.declarations {
                    switch d {
                    case .param(let p): ranges.append((p.header.span.start..<p.header.span.end, "param \(p.header.name.text)"))
                    case .letDecl(let l): ranges.append((l.header.span.start..<l.header.span.end, "let \(l.header.name.text)"))
                    case .rule(let r): ranges.append((r.header.span.start..<r.header.span.end, "rule \(r.header.name.text)"))
                    default: break
                    }
                }
                guard !ranges.isEmpty else { continue }
                let tokens = Lexer.lex(file).tokens
                for t in tokens {
                    guard let (_, decl) = ranges.first(where: { $0.0.contains(t.start) }) else { continue }
                    for replacement in replacements(t) {
                        var bytes = file.bytes
                        bytes.replaceSubrange(t.start..<t.end, with: Array(replacement.utf8))
                        let m = Mutant(path: file.path, location: file.location(of: t.start),
                                       original: file.text(t.start..<t.end), replacement: replacement, declaration: decl)
                        out.append((m, absolute, bytes))
                    }
                }
            }
        }
        return out
    }

    /// The texts a token may be mutated to.
    static func replacements(_ t: Token) -> [String] {
        func bump(_ text: String) -> [String] {
            guard let f = Fixed.parse(Substring(text)) else { return [] }
            let decimals = text.split(separator: ".").dropFirst().first?.count ?? 0
            var unit: Int64 = Fixed.scale
            for _ in 0..<decimals { unit /= 10 }
            // A literal at the end of the range has no neighbour past it.
            let step = Fixed(raw: unit)
            return [f.subtracting(step), f.adding(step)].compactMap { $0 }.filter { $0.raw >= 0 }.map {
                $0.formatted(minimumFractionDigits: decimals)
            }
        }
        switch t.kind {
        case .number: return bump(t.text)
        case .percent: return bump(t.text).map { "\($0) %" }
        case .duration(let u):
            let word = u == .workingDays ? "working days" : u.rawValue
            return bump(t.text).map { "\($0) \(word)" }
        case .money: return bump(t.text).map { "\($0) €" }
        case .date:
            guard let d = Day.parse(Substring(t.text)) else { return [] }
            return [d.adding(days: -1), d.adding(days: 1)].compactMap { $0?.description }
        case .gt: return [">="]
        case .ge: return [">"]
        case .lt: return ["<="]
        case .le: return ["<"]
        default: return []
        }
    }

    public struct Result: Sendable {
        public var total: Int
        public var killedByCheck: Int
        public var killedByTests: Int
        public var survivors: [Mutant]
    }

    /// Runs the policy's tests against every mutant.
    public static func run(_ policy: Policy, filter: String? = nil, progress: ((Int, Int) -> Void)? = nil) -> Result {
        let all = mutants(of: policy)
        var result = Result(total: all.count, killedByCheck: 0, killedByTests: 0, survivors: [])
        for (i, (m, path, bytes)) in all.enumerated() {
            progress?(i, all.count)
            let mutated = Policy.load(directory: policy.directory, root: policy.root, replacing: [path: bytes])
            if mutated.hasErrors { result.killedByCheck += 1; continue }
            let runner = PolicyTestRunner(policy: mutated, filter: filter)
            let outcomes = runner.run()
            if outcomes.contains(where: { $0.outcome == .failed }) { result.killedByTests += 1 } else { result.survivors.append(m) }
        }
        return result
    }
}
