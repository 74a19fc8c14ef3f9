import Foundation

/// Where tests write their files: one directory per test process, removed
/// when the process exits. (Each run of the suite used to leave about a
/// thousand files in the system's temporary directory.)
public enum Scratch {
    /// The directory, ending in "/".
    public static let root: String = {
        let dir = NSTemporaryDirectory() + "linja-tests-\(getpid())/"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: Scratch.root) }
        return dir
    }()
}
