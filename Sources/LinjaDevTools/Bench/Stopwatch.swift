import Foundation

/// Monotonic time and process memory, for the benchmark.
public enum Stopwatch {
    public static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Seconds taken by `body`.
    public static func time(_ body: () throws -> Void) rethrows -> Double {
        let t0 = now()
        try body()
        return Double(now() - t0) / 1e9
    }

    /// Peak resident memory of this process so far, in bytes (VmHWM).
    public static func peakResidentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let digits = line.filter(\.isNumber)
            return (Int(digits) ?? 0) * 1024
        }
        return 0
    }
}

/// Median, min and max of repeated measurements.
public struct Measurement: Sendable {
    public var samples: [Double]
    public init(_ samples: [Double]) { self.samples = samples.sorted() }
    public var median: Double {
        guard !samples.isEmpty else { return 0 }
        let n = samples.count
        return n % 2 == 1 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2
    }
    public var min: Double { samples.first ?? 0 }
    public var max: Double { samples.last ?? 0 }
}
