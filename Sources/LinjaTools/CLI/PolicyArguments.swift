import Foundation
import Linja

/// Loads one policy directory; prints its diagnostics and fails when it has errors.
public func loadPolicy(_ path: String, quietWarnings: Bool = false) throws -> Policy {
    guard let (dirs, root) = PolicyLoader.discover(path) else {
        throw InputError(message: "no such policy directory: \(path)")
    }
    guard dirs.count == 1, let dir = dirs.first else {
        throw InputError(message: dirs.isEmpty ? "no rule files (.linja) in \(path)"
                         : "\(path) holds \(dirs.count) policies; name one, e.g. \(Paths.display(dirs[0]))")
    }
    let policy = Policy.load(directory: dir, root: root)
    let shown = quietWarnings ? policy.diagnostics.filter { $0.severity == .error } : policy.diagnostics
    if !shown.isEmpty { Console.err.write(DiagnosticRenderer(color: useColor(fd: 2)).render(shown)) }
    if policy.hasErrors { throw PolicyFailure() }
    return policy
}

/// The rule files a policy was read from: inputs no output may replace.
public func ruleFilePaths(_ policy: Policy) -> [String] {
    policy.units.flatMap { $0.files.map(\.file.path) }
}

/// The policy has errors (already printed): exit 1.
public struct PolicyFailure: Error {
    public init() {}
}

public func parseDate(_ s: String, option: String) throws -> Day {
    guard let d = Day.parse(Substring(s)) else {
        throw UsageError(message: "--\(option) must be a date (2026-05-01 or 1.5.2026), not '\(s)'")
    }
    return d
}

/// `--param NAME=VALUE` overrides, checked against each param's type.
public func paramOverrides(_ specs: [String], policy: Policy) throws -> [Int: Value] {
    var out: [Int: Value] = [:]
    for spec in specs {
        guard let eq = spec.firstIndex(of: "=") else {
            throw UsageError(message: "--param takes NAME=VALUE, e.g. --param career_guidance_after=\"2 months\"")
        }
        let name = String(spec[..<eq]).trimmingCharacters(in: .whitespaces)
        let text = String(spec[spec.index(after: eq)...])
        guard let p = policy.param(named: name) else {
            let s = Suggest.closest(name, among: policy.params.map(\.name))
            throw UsageError(message: "--param: no param '\(name)'" + (s.map { "; did you mean '\($0)'?" } ?? ""))
        }
        switch policy.readValue(text, as: p.type) {
        case .success(let v): out[p.id] = v
        case .failure(let e):
            throw UsageError(message: "--param \(name): " + e.message)
        }
    }
    return out
}

/// Every policy at or under the paths (each once).
public func loadPolicies(_ paths: [String]) throws -> [Policy] {
    var out: [Policy] = []
    var seen = Set<String>()
    for path in paths {
        guard let (dirs, root) = PolicyLoader.discover(path) else {
            throw InputError(message: "no such file or directory: \(path)")
        }
        if dirs.isEmpty { throw InputError(message: "no rule files (.linja) in \(path)") }
        for d in dirs where seen.insert(d).inserted {
            out.append(Policy.load(directory: d, root: root))
        }
    }
    return out
}
