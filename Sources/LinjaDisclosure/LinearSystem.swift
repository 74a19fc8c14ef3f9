/// A publication as a reader's arithmetic sees it: linear constraints
/// `Σ coefficient · cell (= or ≤) 0` with every coefficient +1 or −1 (a
/// relation never names a cell twice), and bounds per cell that follow from
/// what the output shows.
struct LinearSystem: Sendable {
    struct Constraint: Sendable {
        var cells: [Int]
        var coefficients: [Int]
        var isEquality: Bool
        /// `Σ coefficient · truth`: 0 for an equality, ≤ 0 for a bound.
        var base = 0
    }

    let truth: [Int]
    let limit: Int
    let constraints: [Constraint]
    /// The constraints each cell appears in, in increasing order.
    let constraintsOf: [[Int]]
    /// The same, and the cell's coefficient in each (flat arrays of `Int`:
    /// cheap in the move search's inner loop).
    let termConstraints: [[Int]]
    let termCoefficients: [[Int]]
    /// Per constraint: whether it is an equality, and `Σ coefficient · truth`.
    let isEquality: [Bool]
    let bases: [Int]
    /// Cells known identical share a class; they are hidden together.
    let identityClass: [Int]

    /// An upper bound that stands for "no bound": far above any count and
    /// far below overflow when summed over every cell.
    static let unbounded = 1 << 40

    init(_ p: Publication) {
        truth = p.values
        limit = p.limit
        var cs: [Constraint] = []
        var classes = UnionFind(count: p.values.count)
        for r in p.relations {
            switch r {
            case .total(let t, of: let parts):
                cs.append(Constraint(cells: [t.index] + parts.map(\.index),
                                     coefficients: [1] + parts.map { _ in -1 }, isEquality: true))
            case .atMost(let parts, let bound):
                cs.append(Constraint(cells: parts.map(\.index) + [bound.index],
                                     coefficients: parts.map { _ in 1 } + [-1], isEquality: false))
            case .identical(let a, let b):
                cs.append(Constraint(cells: [a.index, b.index], coefficients: [1, -1], isEquality: true))
                classes.union(a.index, b.index)
            }
        }
        for i in cs.indices {
            var b = 0
            for j in cs[i].cells.indices { b += cs[i].coefficients[j] * p.values[cs[i].cells[j]] }
            cs[i].base = b
        }
        constraints = cs
        var of = Array(repeating: [Int](), count: p.values.count)
        var coefs = Array(repeating: [Int](), count: p.values.count)
        for ci in cs.indices {
            let c = cs[ci]
            for j in c.cells.indices {
                of[c.cells[j]].append(ci)
                coefs[c.cells[j]].append(c.coefficients[j])
            }
        }
        constraintsOf = of
        termConstraints = of
        termCoefficients = coefs
        isEquality = cs.map(\.isEquality)
        bases = cs.map(\.base)
        identityClass = (0..<p.values.count).map { classes.find($0) }
    }

    /// The values a reader allows a cell in the given state.
    func bounds(_ cell: Int, _ state: CellState) -> (lo: Int, hi: Int) {
        switch state {
        case .shown: return (truth[cell], truth[cell])
        case .primary: return (1, limit - 1)
        case .secondary: return (limit, Self.unbounded)
        }
    }

    /// Whether `values` (a full assignment) satisfies every constraint that
    /// mentions one of `cells`. Constraints that mention none of them hold
    /// already, because they hold for the true counts.
    func satisfies(_ values: [Int: Int], touching cells: [Int]) -> Bool {
        var seen = Set<Int>()
        for v in cells {
            for ci in constraintsOf[v] where seen.insert(ci).inserted {
                let c = constraints[ci]
                var sum = 0
                for (cell, coef) in zip(c.cells, c.coefficients) { sum += coef * (values[cell] ?? truth[cell]) }
                if c.isEquality ? sum != 0 : sum > 0 { return false }
            }
        }
        return true
    }
}

/// What the suppression has decided about a cell so far.
enum CellState: Hashable, Sendable {
    case shown, primary, secondary
}

/// Disjoint sets with path halving, for identity classes.
struct UnionFind: Sendable {
    private var parent: [Int]
    init(count: Int) { parent = Array(0..<count) }
    mutating func find(_ x: Int) -> Int {
        var x = x
        while parent[x] != x {
            parent[x] = parent[parent[x]]
            x = parent[x]
        }
        return x
    }
    /// Keeps the smaller index as the root, so classes are named stably.
    mutating func union(_ a: Int, _ b: Int) {
        let ra = find(a), rb = find(b)
        if ra < rb { parent[rb] = ra } else if rb < ra { parent[ra] = rb }
    }
}
