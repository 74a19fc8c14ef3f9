/// Chooses the secondary suppression for a pinned cell.
///
/// A reader cannot pin a hidden cell when another assignment fits everything
/// shown. The simplest such assignment is a *unit move*: add +1 or −1 to a
/// few cells so that every total still adds up and every bound still holds
/// (in a table: +1 here, −1 there in the same row, or +1 on the cell and on
/// its row total). The cells a move touches must all be hidden, so the
/// cheapest move through a pinned cell, counting only the shown cells it
/// touches, names the secondary suppression that protects it, and the move
/// itself is the proof.
///
/// Uniform-cost search over partial moves: a state is a set of cells with
/// their ±1; it is extended by fixing the first constraint it breaks with a
/// cell not yet touched. Cost is (shown cells touched, the sum of their
/// values, their positions), compared in that order, so the choice is the
/// fewest cells, then the smallest, then the first.
///
/// Why unit moves suffice for the report shapes: when the only relations
/// are totals over a laminar family (each row's total and its service-area
/// subtotals; the clients row likewise), each row's constraint matrix is
/// [I | −M] with M the incidence matrix of a laminar family, a network
/// matrix, so the system is totally unimodular. Then every integer move
/// splits conformally into ±1 circuits, and each circuit stays within the
/// bounds on its own (it lies between the truth and the move). So if hiding
/// some set of cells frees a cell, a unit move inside that set does too, and
/// the cheapest unit move is the cheapest secondary suppression. Bounds
/// between cells (at most the clients, requires, identical, exclusive
/// destinations) can break total unimodularity; a unit move is still a
/// valid proof then, but a cheaper non-unit one may exist, and when none is
/// found the caller falls back to hiding one cell at a time.
struct MoveSearch {
    let system: LinearSystem
    var budget = 20_000

    struct Cost: Comparable {
        var count = 0
        var sum = 0
        var positions: [Int] = []
        static func < (a: Cost, b: Cost) -> Bool {
            if a.count != b.count { return a.count < b.count }
            if a.sum != b.sum { return a.sum < b.sum }
            return a.positions.lexicographicallyPrecedes(b.positions)
        }
    }

    /// A partial move, in flat arrays of `Int` (cheap to copy and compare).
    struct Partial {
        /// Touched cells, sorted, and their ±1.
        var cells: [Int] = []
        var deltas: [Int] = []
        /// The constraints the move touches, sorted, and what it adds to
        /// each (Σ coefficient · delta).
        var constraints: [Int] = []
        var changes: [Int] = []
        var cost = Cost()
        var sequence = 0

        func touches(_ cell: Int) -> Bool {
            for i in 0..<cells.count where cells[i] == cell { return true }
            return false
        }

        /// Encodes the move for the seen-set: cell · 2 + (delta > 0).
        var key: [Int] {
            var k = cells
            for i in 0..<k.count { k[i] = k[i] * 2 + (deltas[i] > 0 ? 1 : 0) }
            return k
        }

        mutating func add(_ cell: Int, _ delta: Int, _ system: LinearSystem) {
            var at = cells.count
            for i in 0..<cells.count where cells[i] > cell {
                at = i
                break
            }
            cells.insert(cell, at: at)
            deltas.insert(delta, at: at)
            let cs = system.termConstraints[cell], coefs = system.termCoefficients[cell]
            for t in 0..<cs.count {
                let ci = cs[t]
                var k = constraints.count
                for i in 0..<constraints.count where constraints[i] >= ci {
                    k = i
                    break
                }
                if k < constraints.count && constraints[k] == ci {
                    changes[k] += coefs[t] * delta
                } else {
                    constraints.insert(ci, at: k)
                    changes.insert(coefs[t] * delta, at: k)
                }
            }
        }
    }

    /// The cheapest unit move that changes `cell`, as (cell, ±1) sorted by
    /// cell; nil when there is none or the budget runs out.
    func cheapestMove(through cell: Int, _ state: [CellState]) -> (move: [(cell: Int, delta: Int)]?, expanded: Int) {
        var heap = Heap<Partial> { a, b in a.cost != b.cost ? a.cost < b.cost : a.sequence < b.sequence }
        var seen = Set<[Int]>()
        var sequence = 0
        for d in [-1, 1] where allows(cell, d, state) {
            var p = Partial()
            p.add(cell, d, system)
            p.sequence = sequence
            sequence += 1
            seen.insert(p.key)
            heap.push(p)
        }
        var expanded = 0
        while let p = heap.pop() {
            expanded += 1
            if expanded > budget { return (nil, expanded) }
            guard let (ci, need) = firstBroken(p) else {
                return ((0..<p.cells.count).map { (p.cells[$0], p.deltas[$0]) }, expanded)
            }
            let c = system.constraints[ci]
            for j in 0..<c.cells.count {
                let w = c.cells[j]
                if p.touches(w) { continue }
                let d = need * c.coefficients[j]
                guard allows(w, d, state) else { continue }
                var next = p
                next.add(w, d, system)
                guard seen.insert(next.key).inserted else { continue }
                if state[w] == .shown {
                    next.cost.count += 1
                    next.cost.sum += system.truth[w]
                    var pos = next.cost.positions.count
                    for i in 0..<next.cost.positions.count where next.cost.positions[i] > w {
                        pos = i
                        break
                    }
                    next.cost.positions.insert(w, at: pos)
                }
                next.sequence = sequence
                sequence += 1
                heap.push(next)
            }
        }
        return (nil, expanded)
    }

    /// Whether `cell` may change by `delta` and stay within what a reader
    /// allows it once hidden. Shown zeros are never hidden.
    func allows(_ cell: Int, _ delta: Int, _ state: [CellState]) -> Bool {
        let t = system.truth[cell]
        switch state[cell] {
        case .shown:
            guard t > 0 else { return false }
            let b = system.bounds(cell, .secondary)
            return t >= b.lo && t + delta >= b.lo && t + delta <= b.hi
        case .primary, .secondary:
            let b = system.bounds(cell, state[cell])
            return t + delta >= b.lo && t + delta <= b.hi
        }
    }

    /// The first constraint (by index) that the move breaks, and the sign a
    /// further term must contribute to mend it.
    func firstBroken(_ p: Partial) -> (Int, Int)? {
        for i in 0..<p.constraints.count {
            let ci = p.constraints[i], change = p.changes[i]
            if system.isEquality[ci] {
                if change != 0 { return (ci, change > 0 ? -1 : 1) }
            } else if system.bases[ci] + change > 0 {
                return (ci, -1)
            }
        }
        return nil
    }
}

/// A binary min-heap ordered by a comparison.
struct Heap<Element> {
    private var items: [Element] = []
    private let less: (Element, Element) -> Bool

    init(_ less: @escaping (Element, Element) -> Bool) { self.less = less }

    var isEmpty: Bool { items.isEmpty }

    mutating func push(_ e: Element) {
        items.append(e)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard less(items[i], items[parent]) else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> Element? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count && less(items[l], items[m]) { m = l }
            if r < items.count && less(items[r], items[m]) { m = r }
            if m == i { break }
            items.swapAt(i, m)
            i = m
        }
        return top
    }
}
