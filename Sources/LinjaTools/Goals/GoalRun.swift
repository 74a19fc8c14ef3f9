import Foundation
import Linja

/// Loads indicator data and client aggregates and evaluates the goals:
/// what `linja goals`, `linja report` and the REPL share.
public struct GoalRun {
    public var evaluation: GoalEvaluation
    public var issues: [DataIssue]
    public var warnings: [DataIssue]

    public static func run(policy: Policy, period: Period, actuals: String?, clients: String?, asOf: Day?,
                           paramOverrides: [Int: Value] = [:]) -> GoalRun {
        var engine = GoalEngine(policy: policy, period: period)
        engine.asOf = asOf
        engine.paramOverrides = paramOverrides
        var issues: [DataIssue] = []
        var warnings: [DataIssue] = []
        if let a = actuals {
            let (values, found) = IndicatorReader.read(path: a, policy: policy)
            engine.indicators = values
            for i in found {
                if i.message.hasPrefix("unknown column") { warnings.append(i) } else { issues.append(i) }
            }
        }
        var aggregates: GoalEngine.ClientAggregates?
        if let c = clients, let day = asOf {
            do {
                let reader = try ClientReader(path: c, policy: policy)
                warnings += reader.warnings
                aggregates = engine.aggregate({ batch in
                    switch reader.next(into: &batch) {
                    case .client: return true
                    case .rejected(let issue): issues.append(issue); return false
                    case .end: return nil
                    }
                }, asOf: day, failed: { f in
                    // Named by the row just read, never "row 0".
                    issues.append(DataIssue(path: c, row: reader.row, message: "a client could not be counted: \(f)"))
                })
            } catch let e as DataIssue {
                issues.append(e)
            } catch {
                issues.append(DataIssue(path: c, row: 1, message: "\(error)"))
            }
        }
        return GoalRun(evaluation: engine.evaluate(aggregates: aggregates), issues: issues, warnings: warnings)
    }
}
