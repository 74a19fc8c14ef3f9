/// "Did you mean" suggestions by edit distance over characters as people
/// see them, so Finnish letters count as one (`Mänttä-Vilpula` is one edit
/// from `Mänttä-Vilppula`), case-insensitive.
public enum Suggest {
    /// The candidate nearest to `word`, if it is close enough to be a likely typo.
    public static func closest<S: Sequence>(_ word: String, among candidates: S, maxDistance: Int? = nil) -> String?
    where S.Element == String {
        let w = Array(word.lowercased())
        let limit = maxDistance ?? max(1, min(3, (w.count + 1) / 3 + (w.count >= 4 ? 1 : 0)))
        var best: (String, Int)?
        for c in candidates {
            guard c != word else { continue }
            let d = distance(w, Array(c.lowercased()), limit: limit)
            if d <= limit, best == nil || d < best!.1 || (d == best!.1 && c < best!.0) {
                best = (c, d)
            }
        }
        if let b = best { return b.0 }
        // A word that is the start of exactly one candidate (`long_term` → `long_term_unemployed`).
        let lower = word.lowercased()
        if lower.count >= 3 {
            let prefixed = candidates.filter { $0.lowercased().hasPrefix(lower) && $0 != word }
            if prefixed.count == 1 { return prefixed[0] }
        }
        return nil
    }

    /// Optimal-string-alignment distance (Levenshtein plus adjacent swaps),
    /// stopping early once every path exceeds `limit`. With a limit only the
    /// band of cells within `limit` of the diagonal is computed (a cell off
    /// it costs more than `limit` anyway), so the work is linear in the
    /// words' length: a misspelt name of 100,000 characters is answered at once.
    public static func distance(_ a: [Character], _ b: [Character], limit: Int = Int.max) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        if abs(a.count - b.count) > limit { return limit + 1 }
        let band = min(limit, max(a.count, b.count))
        // Cells outside the band hold `outside`, more than any limit reached.
        let outside = band + 1
        var prev2 = [Int](repeating: outside, count: b.count + 1)
        var prev = [Int](repeating: outside, count: b.count + 1)
        var cur = [Int](repeating: outside, count: b.count + 1)
        for j in 0...min(b.count, band) { prev[j] = j }
        for i in 1...a.count {
            let lo = max(1, i - band), hi = min(b.count, i + band)
            cur[0] = i <= band ? i : outside
            if lo > 1 { cur[lo - 1] = outside }
            var rowMin = lo == 1 ? cur[0] : outside
            if lo <= hi {
                for j in lo...hi {
                    let cost = a[i - 1] == b[j - 1] ? 0 : 1
                    var v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
                    if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                        v = min(v, prev2[j - 2] + 1)
                    }
                    cur[j] = min(v, outside)
                    rowMin = min(rowMin, cur[j])
                }
            }
            if hi < b.count { cur[hi + 1] = outside }
            if rowMin > limit { return limit + 1 }
            (prev2, prev, cur) = (prev, cur, prev2)
        }
        return min(prev[b.count], outside)
    }
}
