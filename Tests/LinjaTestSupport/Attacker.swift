import LinjaDisclosure

/// A reader who tries to work out hidden counts, written apart from the
/// library's check and sharing none of its code: plain backtracking over the
/// hidden cells in a fixed order, with forward checking (each relation's sum
/// must still be able to fit) and no propagation to a fixpoint.
///
/// It knows everything the stopping rule assumes a reader knows: the shown
/// values; every relation; that a primary cell is from 1 to `limit − 1`; that
/// a secondary cell is at least `limit` (zeros are never hidden, so a reader
/// who can tell secondary cells apart knows that much). It also limits every
/// secondary cell to a window of ±`window` around its true value. A smaller
/// range can only remove solutions, so the window makes the attacker
/// stronger, never weaker: when it still finds a second value for a cell,
/// so would any reader.
public struct Attacker {
    let values: [Int]
    let limit: Int
    let disclosed: [Disclosed]
    /// What the attacker allows each cell.
    private var lo: [Int]
    private var hi: [Int]
    /// Relation r: `Σ coef · cell (= or ≤) 0` over termCells[r], termCoefs[r].
    private var termCells: [[Int]] = []
    private var termCoefs: [[Int]] = []
    private var isEquality: [Bool] = []
    private var relationsOf: [[Int]]
    /// Nodes per question before the attacker gives up (a test treats that
    /// as a failure to decide, never as safety).
    public var budget = 2_000_000

    public enum Finding: Equatable { case secondValue(Int), pinned, gaveUp }

    /// `window`: half-width of a secondary cell's range; nil for
    /// [limit, sum of all counts + limit].
    public init(_ p: Publication, _ disclosed: [Disclosed], window: Int? = nil) {
        values = p.values
        limit = p.limit
        self.disclosed = disclosed
        let everything = p.values.reduce(0, +) + p.limit
        lo = []
        hi = []
        for (v, d) in zip(p.values, disclosed) {
            switch d {
            case .shown(let s):
                lo.append(s)
                hi.append(s)
            case .hidden(.primary):
                lo.append(1)
                hi.append(p.limit - 1)
            case .hidden(.secondary):
                lo.append(window.map { max(p.limit, v - $0) } ?? p.limit)
                hi.append(window.map { v + $0 } ?? everything)
            }
        }
        relationsOf = Array(repeating: [], count: p.values.count)
        for r in p.relations {
            switch r {
            case .total(let t, let parts):
                termCells.append([t.index] + parts.map(\.index))
                termCoefs.append([1] + parts.map { _ in -1 })
                isEquality.append(true)
            case .atMost(let parts, let bound):
                termCells.append(parts.map(\.index) + [bound.index])
                termCoefs.append(parts.map { _ in 1 } + [-1])
                isEquality.append(false)
            case .identical(let a, let b):
                termCells.append([a.index, b.index])
                termCoefs.append([1, -1])
                isEquality.append(true)
            }
        }
        for r in 0..<termCells.count { for c in termCells[r] { relationsOf[c].append(r) } }
    }

    /// The hidden cells the attacker pins (or cannot decide).
    public func pinned() -> [Int] {
        values.indices.filter { disclosed[$0].isHidden && attack($0).isPinnedOrUnknown }
    }

    /// Looks for a solution in which `cell` differs from its true value.
    public func attack(_ cell: Int) -> Finding {
        // Only the cells linked to `cell` through hidden cells can move; the
        // rest keep their true values.
        var order = [cell]
        var inOrder = Array(repeating: false, count: values.count)
        inOrder[cell] = true
        var i = 0
        while i < order.count {
            for r in relationsOf[order[i]] {
                for c in termCells[r] where disclosed[c].isHidden && !inOrder[c] {
                    inOrder[c] = true
                    order.append(c)
                }
            }
            i += 1
        }
        var cur = Search(attacker: self, cell: cell, order: order)
        for c in values.indices where !inOrder[c] {
            cur.value[c] = values[c]
            cur.fixed[c] = true
        }
        if let v = cur.assign(0) { return .secondValue(v) }
        return cur.gaveUp ? .gaveUp : .pinned
    }

    /// One backtracking run.
    private struct Search {
        let attacker: Attacker
        let cell: Int
        let order: [Int]
        var value: [Int]
        var fixed: [Bool]
        var nodes = 0
        var gaveUp = false

        init(attacker: Attacker, cell: Int, order: [Int]) {
            self.attacker = attacker
            self.cell = cell
            self.order = order
            value = Array(repeating: 0, count: attacker.values.count)
            fixed = Array(repeating: false, count: attacker.values.count)
        }

        /// The values every relation still leaves cell `c`, given the cells
        /// fixed so far and the ranges of the others (one pass per relation).
        func narrowed(_ c: Int) -> (Int, Int) {
            var l = attacker.lo[c], h = attacker.hi[c]
            for r in attacker.relationsOf[c] {
                var otherLo = 0, otherHi = 0, own = 0
                let cells = attacker.termCells[r], coefs = attacker.termCoefs[r]
                for k in 0..<cells.count {
                    let d = cells[k]
                    if d == c {
                        own = coefs[k]
                        continue
                    }
                    let dl = fixed[d] ? value[d] : attacker.lo[d]
                    let dh = fixed[d] ? value[d] : attacker.hi[d]
                    if coefs[k] > 0 { otherLo += dl; otherHi += dh } else { otherLo -= dh; otherHi -= dl }
                }
                // own · x + others (= or ≤) 0, own = ±1.
                if own > 0 {
                    h = min(h, -otherLo)
                    if attacker.isEquality[r] { l = max(l, -otherHi) }
                } else {
                    l = max(l, otherLo)
                    if attacker.isEquality[r] { h = min(h, otherHi) }
                }
            }
            return (l, h)
        }

        /// Every relation, exactly, once every cell has a value.
        func holdsEverywhere() -> Bool {
            for r in 0..<attacker.termCells.count {
                var s = 0
                let cells = attacker.termCells[r], coefs = attacker.termCoefs[r]
                for k in 0..<cells.count { s += coefs[k] * value[cells[k]] }
                if attacker.isEquality[r] ? s != 0 : s > 0 { return false }
            }
            return true
        }

        /// Assigns order[k...]; returns the target cell's value in the first
        /// full solution.
        mutating func assign(_ k: Int) -> Int? {
            if k == order.count { return holdsEverywhere() ? value[cell] : nil }
            let c = order[k]
            let (l, h) = narrowed(c)
            if l > h { return nil }
            // The true value first, then outwards: most cells keep theirs.
            let t = min(max(attacker.values[c], l), h)
            var d = 0
            while t - d >= l || t + d <= h {
                for v in d == 0 ? [t] : [t - d, t + d] where v >= l && v <= h {
                    if c == cell && v == attacker.values[cell] { continue }
                    nodes += 1
                    if nodes > attacker.budget {
                        gaveUp = true
                        return nil
                    }
                    value[c] = v
                    fixed[c] = true
                    if let found = assign(k + 1) { return found }
                    fixed[c] = false
                    if gaveUp { return nil }
                }
                d += 1
            }
            return nil
        }
    }
}

extension Attacker.Finding {
    var isPinnedOrUnknown: Bool {
        switch self {
        case .secondValue: return false
        case .pinned, .gaveUp: return true
        }
    }
}
