#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import LinjaBase
import LinjaSyntax
import LinjaModel

/// An operating-system input/output failure inside the data readers and
/// writers. Internal: each public reader and writer wraps the message into
/// its own error type (`CSVError.io`, `JSONLinesError.io`), so callers only
/// ever handle one error type per format.
struct DataIOFailure: Error, Equatable, Sendable {
    var message: String

    init(_ message: String) {
        self.message = message
    }

    /// A failure described by the current `errno`, e.g.
    /// "cannot open 'x.csv': No such file or directory".
    static func fromErrno(_ what: String, code: Int32 = errno) -> DataIOFailure {
        DataIOFailure("\(what): \(describe(code))")
    }

    /// The system's text for an `errno` value (English in the C locale,
    /// which Swift programs run in unless they call `setlocale`).
    static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}
