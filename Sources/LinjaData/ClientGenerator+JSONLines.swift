import LinjaBase
import LinjaSyntax
import LinjaModel

extension ClientGenerator {
    /// Writes `count` clients as JSON Lines: one object per line, keys in
    /// the record's field order, a missing optional as `null`, booleans and
    /// numbers as JSON values, everything else as a string the reader takes.
    public mutating func writeJSONLines(count: Int, to sink: (String) -> Void) {
        guard let rec = policy.record, count > 0 else { return }
        var chunk = ""
        for i in 1...count {
            let values = next(index: i)
            var pairs: [(String, JSON)] = []
            for (v, f) in zip(values, rec.fields) {
                switch v {
                case .missing: pairs.append((f.name, .null))
                case .bool(let b): pairs.append((f.name, .bool(b)))
                case .int(let n): pairs.append((f.name, .number(String(n))))
                default: pairs.append((f.name, .string(csvText(v, f))))
                }
            }
            chunk += JSON.object(pairs).compact + "\n"
            if chunk.utf8.count > 1 << 16 { sink(chunk); chunk = "" }
        }
        sink(chunk)
    }
}
