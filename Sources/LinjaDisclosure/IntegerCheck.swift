/// The exact test behind the stopping rule: can a hidden cell take another
/// integer value than its true one, with every other figure the reader sees
/// left as it is?
///
/// Only the cells connected to the asked one through hidden cells matter
/// (shown cells are constants), so the search runs on that component: a
/// depth-first search over integer domains with bound propagation on every
/// constraint, branching on the open cell nearest the asked one and trying
/// each cell's true value first. A "yes" comes with a witness, an assignment
/// that satisfies every constraint exactly, checked again at the leaf: that
/// is what the stopping rule rests on, and it is exact integer arithmetic.
///
/// A "no" is an exhausted search over every cell within ±`window` of its true
/// value. Where unit moves suffice (the totally unimodular shapes, see
/// `MoveSearch`) that is exact; elsewhere a cell that could only move further
/// counts as pinned and gets more suppression, never less. When the node
/// budget runs out the answer is `undecided`, treated the same way.
struct IntegerCheck {
    let system: LinearSystem
    var nodeBudget = 5_000
    /// How far from its true value the search moves any cell.
    var window: Int { max(10, 2 * system.limit) }

    enum Verdict {
        /// A full solution of the component, as (cell, value); the asked cell's
        /// value differs from its truth.
        case witness([(Int, Int)])
        case pinned
        case undecided
    }

    /// The hidden cells connected to `cell` through constraints, in BFS order
    /// from it, and the constraints that mention any of them (sorted).
    func component(of cell: Int, _ state: [CellState]) -> (cells: [Int], constraints: [Int]) {
        var cells = [cell]
        var inComponent = Array(repeating: false, count: system.truth.count)
        var touched = Array(repeating: false, count: system.constraints.count)
        var constraints: [Int] = []
        inComponent[cell] = true
        var i = 0
        while i < cells.count {
            let v = cells[i]
            i += 1
            for ci in system.constraintsOf[v] where !touched[ci] {
                touched[ci] = true
                constraints.append(ci)
                for w in system.constraints[ci].cells where state[w] != .shown && !inComponent[w] {
                    inComponent[w] = true
                    cells.append(w)
                }
            }
        }
        constraints.sort()
        return (cells, constraints)
    }

    /// Shown cells a reader could not use if they were hidden too: the
    /// non-zero shown cells in the constraints of `cell`'s component, cheapest
    /// (smallest, then first) first.
    func frontier(of cell: Int, _ state: [CellState]) -> [Int] {
        let (_, cs) = component(of: cell, state)
        var out = Set<Int>()
        for ci in cs {
            for w in system.constraints[ci].cells where state[w] == .shown && system.truth[w] > 0 { out.insert(w) }
        }
        return out.sorted { (system.truth[$0], $0) < (system.truth[$1], $1) }
    }

    /// Whether `cell` can take a value other than its true one.
    func alternative(for cell: Int, _ state: [CellState]) -> (Verdict, nodes: Int) {
        let (cells, cs) = component(of: cell, state)
        var local = Array(repeating: -1, count: system.truth.count)
        for (i, v) in cells.enumerated() { local[v] = i }
        // Constraints over local cells (flat: terms of constraint k are at
        // termStart[k]..<termStart[k+1]) and the constant from shown cells.
        var termStart = [0], termCell: [Int] = [], termCoef: [Int] = []
        var constants: [Int] = [], equality: [Bool] = []
        var count = Array(repeating: 0, count: cells.count)
        for ci in cs {
            let c = system.constraints[ci]
            var k = 0
            for j in c.cells.indices {
                let w = c.cells[j]
                if local[w] >= 0 {
                    termCell.append(local[w])
                    termCoef.append(c.coefficients[j])
                    count[local[w]] += 1
                } else {
                    k += c.coefficients[j] * system.truth[w]
                }
            }
            termStart.append(termCell.count)
            constants.append(k)
            equality.append(c.isEquality)
        }
        var ofStart = [0]
        for n in count { ofStart.append(ofStart[ofStart.count - 1] + n) }
        var ofList = Array(repeating: 0, count: termCell.count)
        var fill = ofStart
        for k in constants.indices {
            for t in termStart[k]..<termStart[k + 1] {
                ofList[fill[termCell[t]]] = k
                fill[termCell[t]] += 1
            }
        }
        let model = Model(termStart: termStart, termCell: termCell, termCoef: termCoef, constants: constants,
                          equality: equality, ofStart: ofStart, ofList: ofList, truth: cells.map { system.truth[$0] })
        // Each cell within ±window of its true value: a witness found there is
        // a witness anywhere, and the window keeps bound propagation from
        // creeping one unit at a time through a huge range.
        let lo = cells.map { max(system.bounds($0, state[$0]).lo, system.truth[$0] - window) }
        let hi = cells.map { min(system.bounds($0, state[$0]).hi, system.truth[$0] + window) }
        let t = system.truth[cell]
        var nodes = 0
        var undecided = false
        for side in [-1, 1] {
            var l = lo, h = hi
            if side < 0 { h[0] = min(h[0], t - 1) } else { l[0] = max(l[0], t + 1) }
            if l[0] > h[0] { continue }
            let (result, n) = model.search(lo: l, hi: h, budget: nodeBudget)
            nodes += n
            switch result {
            case .found(let values): return (.witness(zip(cells, values).map { ($0, $1) }), nodes)
            case .infeasible: break
            case .outOfBudget: undecided = true
            }
        }
        return (undecided ? .undecided : .pinned, nodes)
    }

    /// A component as a small integer program over local indices: constraint
    /// `k` is `constants[k] + Σ termCoef · x[termCell]` (= or ≤) 0.
    struct Model {
        let termStart: [Int]
        let termCell: [Int]
        let termCoef: [Int]
        let constants: [Int]
        let equality: [Bool]
        /// The constraints of local cell `i`: ofList[ofStart[i]..<ofStart[i+1]].
        let ofStart: [Int]
        let ofList: [Int]
        let truth: [Int]

        enum Result { case found([Int]), infeasible, outOfBudget }

        /// Depth-first: propagate, then branch on the open cell nearest the
        /// asked one (cells are in BFS order from it: the change has to be
        /// absorbed close by) as "= its true value (clamped)", "below it",
        /// "above it".
        func search(lo: [Int], hi: [Int], budget: Int) -> (Result, Int) {
            var stack: [([Int], [Int], Int)] = [(lo, hi, -1)]
            var queue: [Int] = []
            var queued = Array(repeating: false, count: constants.count)
            var nodes = 0
            while let (l0, h0, changed) = stack.popLast() {
                nodes += 1
                if nodes > budget { return (.outOfBudget, nodes) }
                var l = l0, h = h0
                guard propagate(&l, &h, from: changed, &queue, &queued) else { continue }
                var pick = -1
                for i in l.indices where h[i] > l[i] {
                    pick = i
                    break
                }
                if pick < 0 {
                    if holds(l) { return (.found(l), nodes) }
                    continue
                }
                let v = min(max(truth[pick], l[pick]), h[pick])
                if v < h[pick] {
                    var ll = l
                    ll[pick] = v + 1
                    stack.append((ll, h, pick))
                }
                if v > l[pick] {
                    var hh = h
                    hh[pick] = v - 1
                    stack.append((l, hh, pick))
                }
                var ll = l, hh = h
                ll[pick] = v
                hh[pick] = v
                stack.append((ll, hh, pick))
            }
            return (.infeasible, nodes)
        }

        /// Every constraint, exactly, for a full assignment.
        func holds(_ x: [Int]) -> Bool {
            for k in constants.indices {
                var s = constants[k]
                for t in termStart[k]..<termStart[k + 1] { s += termCoef[t] * x[termCell[t]] }
                if equality[k] ? s != 0 : s > 0 { return false }
            }
            return true
        }

        /// Bound propagation to a fixpoint (or a step cap, which only makes
        /// it prune less). False when a constraint cannot be met. `changed`
        /// is the cell whose domain the branch narrowed (−1: start from all).
        func propagate(_ lo: inout [Int], _ hi: inout [Int], from changed: Int,
                       _ queue: inout [Int], _ queued: inout [Bool]) -> Bool {
            queue.removeAll(keepingCapacity: true)
            if changed >= 0 {
                for j in ofStart[changed]..<ofStart[changed + 1] { queue.append(ofList[j]) }
            } else {
                queue.append(contentsOf: constants.indices)
            }
            for k in queue { queued[k] = true }
            defer { for k in queue { queued[k] = false } }
            var head = 0
            let cap = 50 * constants.count + 1_000
            while head < queue.count {
                let k = queue[head]
                head += 1
                queued[k] = false
                if head > cap { return true }
                var minS = constants[k], maxS = constants[k]
                let range = termStart[k]..<termStart[k + 1]
                for t in range {
                    let i = termCell[t]
                    if termCoef[t] > 0 { minS += lo[i]; maxS += hi[i] } else { minS -= hi[i]; maxS -= lo[i] }
                }
                if minS > 0 || (equality[k] && maxS < 0) { return false }
                for t in range {
                    let i = termCell[t]
                    let positive = termCoef[t] > 0
                    let restMin = minS - (positive ? lo[i] : -hi[i])
                    let restMax = maxS - (positive ? hi[i] : -lo[i])
                    var nl = lo[i], nh = hi[i]
                    if positive {
                        nh = min(nh, -restMin)
                        if equality[k] { nl = max(nl, -restMax) }
                    } else {
                        nl = max(nl, restMin)
                        if equality[k] { nh = min(nh, restMax) }
                    }
                    if nl > nh { return false }
                    if nl != lo[i] || nh != hi[i] {
                        lo[i] = nl
                        hi[i] = nh
                        for j in ofStart[i]..<ofStart[i + 1] where !queued[ofList[j]] {
                            queued[ofList[j]] = true
                            queue.append(ofList[j])
                        }
                    }
                }
            }
            return true
        }
    }
}
