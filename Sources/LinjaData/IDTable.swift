import Foundation
import Synchronization
import LinjaBase
import LinjaSyntax
import LinjaModel

/// The ids of a client file, each with where it is first, shared by workers
/// that read parts of the file at once: a repeated id is rejected naming
/// the row it was first on, whichever worker read that row.
///
/// Without a global lock: the table is split into 256 partitions by the
/// fingerprint's top bits, each with its own lock and its own growable
/// open-addressing table, and a worker takes each partition's lock once per
/// part of the file (`insert` and `firsts` sort their rows by partition).
/// Every entry keeps the earliest position its id was seen at, so the order
/// in which workers insert does not matter: once every part before a
/// worker's own has inserted, `firsts` tells exactly which of its rows
/// repeat an earlier id.
///
/// An entry is 16 bytes: the first 64 bits of the id's fingerprint, then 16
/// more bits of it above the position (24 bits of part, 24 of row within
/// the part). So an id is known by 80 bits: two different ids among ten
/// million share them with probability about n² / 2⁸¹, 1 in 10¹⁰. Tables
/// double when three quarters full, so a table grown from empty holds
/// 21–43 bytes per distinct id; one `reserve`d for the file's rows holds
/// about 25 (most files at 4 M rows: 96 MB instead of 128 MB).
///
/// A table of 64 KB or more is mapped from the kernel on its own and
/// unmapped when it is outgrown: its pages come zeroed (no clearing pass)
/// and it leaves no hole in the allocator's heaps (with two threads
/// growing tables in two heaps, peak memory at 4 M rows had been about
/// 20 MB above one thread's by more than the threads' buffers explain).
public final class IDTable: @unchecked Sendable {
    static let partitionBits = 8
    static let partitionCount = 1 << partitionBits
    /// A position: part (chunk) index above the row within the part.
    static let rowBits = 24
    static let positionMask: UInt64 = (1 << 48) - 1
    /// Slots from which a partition's table is loaded ahead of a visit
    /// (4 K slots, 64 KB: beyond a core's first-level cache).
    static let prefetchFrom = 1 << 12

    /// The most ids `reserve` makes room for (16.8 million, 420 MB of
    /// tables); a file with more grows its tables as it is read. It bounds
    /// what a wrong estimate costs: a file whose first megabyte has much
    /// shorter rows than the rest is reserved for more rows than it has.
    public static let reservedAtMost = 1 << 24
    /// Slots of a partition's smallest table.
    static let smallest = 64
    /// Tables of this many slots or more are mapped on their own (64 KB).
    static let mappedFrom = 1 << 12

    struct Partition {
        /// Two words per slot: fingerprint (0: empty), then tag and position.
        var slots: UnsafeMutablePointer<UInt64>?
        /// Slots (any number from `smallest` up, not only powers of two).
        var capacity = 0
        /// Whether `slots` is mapped on its own (else from the allocator).
        var mapped = false
        var count = 0
        /// What the prefetching pass read (kept so that its loads stay).
        var touched: UInt64 = 0
    }

    /// A partition behind its own lock (one that can be tried without waiting).
    final class Locked: @unchecked Sendable {
        let lock = Lock()
        /// Read and written only with `lock` locked.
        var part = Partition()
        deinit {
            if let slots = part.slots { IDTable.free(slots, capacity: part.capacity, mapped: part.mapped) }
        }
    }

    private let partitions: [Locked]

    public init() {
        partitions = (0..<IDTable.partitionCount).map { _ in Locked() }
    }

    /// The number of distinct ids.
    public var count: Int {
        partitions.reduce(0) { total, p in total + p.lock.withLock { p.part.count } }
    }

    /// A position as stored: `chunk` above `row`, each kept to 24 bits.
    @inline(__always)
    static func position(chunk: Int, row: Int) -> UInt64 {
        let c = UInt64(min(max(0, chunk), (1 << 24) - 1))
        let r = UInt64(min(max(0, row), (1 << rowBits) - 1))
        return c << UInt64(rowBits) | r
    }

    /// Sizes the tables for about `ids` distinct ids (a table already
    /// larger is kept), so that they need not grow while the file is read:
    /// each partition gets room for its share and 5 % more, filled to about
    /// two thirds. More ids than that still fit: tables grow as ever. Each
    /// table is made that large by the next visit to its partition, so
    /// workers share the work (at a million ids, 25 MB to map and clear).
    public func reserve(ids: Int) {
        guard ids > 0 else { return }
        let ids = min(ids, IDTable.reservedAtMost)
        let share = (ids + IDTable.partitionCount - 1) / IDTable.partitionCount
        let capacity = max(IDTable.smallest, share * 105 / 100 * 3 / 2)
        reserved.max(capacity, ordering: .relaxed)
    }

    /// Slots every partition's table is to have at least (0: none asked).
    private let reserved = Atomic<Int>(0)

    /// A fingerprint of an id's bytes (its NFC form when it is not ASCII,
    /// as Swift compares strings): two words, the first never 0.
    static func fingerprint(_ bytes: UnsafeRawBufferPointer) -> (UInt64, UInt64) {
        if let f = SeenIDs.fingerprint(ascii: bytes) { return (f.0, UInt64(f.1)) }
        let f = SeenIDs.fingerprint(String(decoding: bytes, as: UTF8.self))
        return (f.0, UInt64(f.1))
    }

    /// Row order by partition: the indexes of `fingerprints` (two words per
    /// row) grouped by partition, and where each partition's group ends.
    private static func byPartition(_ fingerprints: [UInt64]) -> (order: [Int32], ends: [Int]) {
        let n = fingerprints.count / 2
        var counts = [Int](repeating: 0, count: partitionCount + 1)
        let shift = UInt64(64 - partitionBits)
        for i in 0..<n { counts[Int(fingerprints[2 * i] >> shift) + 1] += 1 }
        for p in 0..<partitionCount { counts[p + 1] += counts[p] }
        var next = counts
        var order = [Int32](repeating: 0, count: n)
        for i in 0..<n {
            let p = Int(fingerprints[2 * i] >> shift)
            order[next[p]] = Int32(i)
            next[p] += 1
        }
        return (order, Array(counts.dropFirst()))
    }

    /// Records the ids of a part's rows: row `i` has fingerprint
    /// `fingerprints[2i], fingerprints[2i + 1]` and is at `rows[i]` of part
    /// `chunk`. An id already known keeps its earlier position.
    ///
    /// When every earlier part has inserted already (`earlierDone`), the
    /// rows whose id was seen earlier are found on the way and returned, as
    /// `firsts` would return them; otherwise nil (ask `firsts` once they
    /// have).
    @discardableResult
    public func insert(chunk: Int, fingerprints: [UInt64], rows: [Int],
                       earlierDone: Bool = false) -> [(index: Int, chunk: Int, row: Int)]? {
        let found = walk(chunk: chunk, fingerprints: fingerprints, rows: rows) { part, h, low, mine in
            IDTable.insert(&part, h, low, mine)
        }
        return earlierDone ? found : nil
    }

    /// For each row whose id was first seen at an earlier position: its
    /// index and that position's part and row. Valid once every earlier part
    /// has inserted its rows (and this part too).
    public func firsts(chunk: Int, fingerprints: [UInt64], rows: [Int]) -> [(index: Int, chunk: Int, row: Int)] {
        walk(chunk: chunk, fingerprints: fingerprints, rows: rows) { part, h, low, _ in IDTable.find(part, h, low) }
    }

    /// Visits the rows partition by partition, each partition under its lock
    /// once, and gathers (in row order) those for which `visit` gives a
    /// position earlier than their own.
    private func walk(chunk: Int, fingerprints: [UInt64], rows: [Int],
                      _ visit: (inout Partition, UInt64, UInt64, UInt64) -> UInt64?) -> [(index: Int, chunk: Int, row: Int)] {
        let (order, ends) = IDTable.byPartition(fingerprints)
        var found: [(index: Int, chunk: Int, row: Int)] = []
        // Parts visit the partitions from different places (part k from
        // its index's bits reversed: 0, 128, 64, 192, …), so that workers on
        // neighbouring parts do not queue at the same locks all the way
        // round.
        let reserved = self.reserved.load(ordering: .relaxed)
        var first = 0
        for bit in 0..<IDTable.partitionBits where chunk & (1 << bit) != 0 {
            first |= 1 << (IDTable.partitionBits - 1 - bit)
        }
        /// Where partition `p`'s rows are in `order`.
        func group(_ p: Int) -> Range<Int> { (p == 0 ? 0 : ends[p - 1])..<ends[p] }
        func visitRows(of p: Int, in part: inout Partition) {
            let group = group(p)
            if part.capacity < reserved { IDTable.resize(&part, to: reserved) }
            // A large table is mostly outside the caches: first load
            // every row's home slot (independent loads the processor
            // overlaps), then visit them from the cache.
            if part.capacity >= IDTable.prefetchFrom, let slots = part.slots {
                let capacity = part.capacity
                var touched: UInt64 = 0
                for k in group { touched |= slots[2 * IDTable.home(fingerprints[2 * Int(order[k])], capacity)] }
                part.touched = touched
            }
            for k in group {
                let i = Int(order[k])
                let mine = IDTable.position(chunk: chunk, row: rows[i])
                if let first = visit(&part, fingerprints[2 * i], fingerprints[2 * i + 1], mine), first < mine {
                    found.append((i, Int(first >> UInt64(IDTable.rowBits)),
                                  Int(first & ((1 << UInt64(IDTable.rowBits)) - 1))))
                }
            }
        }
        // A partition another worker holds is left for the end rather than
        // waited for (waiting puts the thread to sleep and wakes it again).
        var busy: [Int] = []
        for q in 0..<IDTable.partitionCount {
            let p = (q + first) & (IDTable.partitionCount - 1)
            guard !group(p).isEmpty else { continue }
            let locked = partitions[p]
            if locked.lock.tryLock() {
                visitRows(of: p, in: &locked.part)
                locked.lock.unlock()
            } else {
                busy.append(p)
            }
        }
        for p in busy {
            let locked = partitions[p]
            locked.lock.withLock { visitRows(of: p, in: &locked.part) }
        }
        found.sort { $0.index < $1.index }
        return found
    }

    @inline(__always)
    private static func tag(_ low: UInt64) -> UInt64 { (low & 0xFFFF) << 48 }

    /// An entry's first slot to try: the fingerprint's bits below the
    /// partition's, scaled to the table (multiplied, not masked, so that a
    /// table may have any number of slots).
    @inline(__always)
    static func home(_ h: UInt64, _ capacity: Int) -> Int {
        Int(truncatingIfNeeded: (h &<< UInt64(partitionBits)).multipliedFullWidth(by: UInt64(capacity)).high)
    }

    /// The slot after `i`, wrapping at the end.
    @inline(__always)
    private static func next(_ i: Int, _ capacity: Int) -> Int {
        i + 1 == capacity ? 0 : i + 1
    }

    /// Inserts an entry, keeping the earlier position; returns the
    /// position that was there before, if any.
    private static func insert(_ part: inout Partition, _ h: UInt64, _ low: UInt64, _ position: UInt64) -> UInt64? {
        if (part.count + 1) * 4 > part.capacity * 3 { resize(&part, to: max(smallest, part.capacity * 2)) }
        guard let slots = part.slots else { return nil }
        let capacity = part.capacity
        let tag = IDTable.tag(low)
        var i = home(h, capacity)
        while true {
            let key = slots[2 * i]
            if key == 0 {
                slots[2 * i] = h
                slots[2 * i + 1] = tag | position
                part.count += 1
                return nil
            }
            if key == h, slots[2 * i + 1] & ~positionMask == tag {
                let before = slots[2 * i + 1] & positionMask
                if position < before {
                    slots[2 * i + 1] = tag | position
                }
                return before
            }
            i = next(i, capacity)
        }
    }

    private static func find(_ part: Partition, _ h: UInt64, _ low: UInt64) -> UInt64? {
        guard let slots = part.slots else { return nil }
        let capacity = part.capacity
        let tag = IDTable.tag(low)
        var i = home(h, capacity)
        while true {
            let key = slots[2 * i]
            if key == 0 { return nil }
            if key == h, slots[2 * i + 1] & ~positionMask == tag { return slots[2 * i + 1] & positionMask }
            i = next(i, capacity)
        }
    }

    /// Moves a partition's entries to a table of `newCapacity` slots.
    private static func resize(_ part: inout Partition, to newCapacity: Int) {
        let (newSlots, mapped) = allocate(newCapacity)
        if let old = part.slots {
            for s in 0..<part.capacity where old[2 * s] != 0 {
                var i = home(old[2 * s], newCapacity)
                while newSlots[2 * i] != 0 { i = next(i, newCapacity) }
                newSlots[2 * i] = old[2 * s]
                newSlots[2 * i + 1] = old[2 * s + 1]
            }
            free(old, capacity: part.capacity, mapped: part.mapped)
        }
        part.slots = newSlots
        part.capacity = newCapacity
        part.mapped = mapped
    }

    /// A table of `capacity` empty slots, and whether it is mapped on its own.
    private static func allocate(_ capacity: Int) -> (UnsafeMutablePointer<UInt64>, mapped: Bool) {
        if capacity >= mappedFrom,
           let p = mmap(nil, 16 * capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0),
           p != MAP_FAILED {
            // The kernel's pages are zero: every slot is empty. They are
            // mapped at once (populated): left to first use, a page first
            // read (the prefetching pass) and then written faults twice,
            // and with two threads the second fault stops the other core.
            return (p.bindMemory(to: UInt64.self, capacity: 2 * capacity), true)
        }
        let p = UnsafeMutablePointer<UInt64>.allocate(capacity: 2 * capacity)
        p.initialize(repeating: 0, count: 2 * capacity)
        return (p, false)
    }

    /// Gives back a table made by `allocate(capacity)`.
    private static func free(_ slots: UnsafeMutablePointer<UInt64>, capacity: Int, mapped: Bool) {
        if mapped {
            munmap(slots, 16 * capacity)
        } else {
            slots.deallocate()
        }
    }
}
