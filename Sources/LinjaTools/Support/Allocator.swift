import Foundation

/// The C allocator, tuned for reading files a megabyte at a time.
public enum Allocator {
    /// By default glibc hands every freed block of 128 KB or more back to
    /// the kernel (unmapping it, or trimming the heap's top past 128 KB of
    /// free space), so each chunk's buffers are faulted in and zeroed page
    /// by page again: in `linja run --allow-repeated-ids` over a million
    /// clients that was a fifth of the time (0.2 s of system time against
    /// 0.03 s). Here blocks up to 32 MB come from the heap and up to 64 MB
    /// of free space stays mapped for the next chunk. Peak memory does not
    /// change (what stays mapped was in use at the peak). Does nothing
    /// where glibc's `mallopt` is not found.
    public static func keepFreedBlocks() {
        #if os(Linux)
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(nil, "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        // <malloc.h>: M_TRIM_THRESHOLD -1, M_MMAP_THRESHOLD -3 (setting
        // either also stops glibc from moving them by itself).
        _ = mallopt(-3, 32 << 20)
        _ = mallopt(-1, 64 << 20)
        #endif
    }
}
