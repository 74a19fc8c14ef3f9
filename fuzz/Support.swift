// Shared by every harness: a private copy of the rules tree, failure
// reporting. Compiled into each harness binary by fuzz/run.sh, never by
// SwiftPM.
import Foundation
import Linja

enum Fuzz {
    /// The repository root: `LINJA_ROOT`, else the working directory's
    /// ancestor that holds `rules/` (run.sh runs from the repository).
    static let repoRoot: String = {
        if let r = ProcessInfo.processInfo.environment["LINJA_ROOT"] { return Paths.normalize(r) }
        var dir = Paths.normalize(FileManager.default.currentDirectoryPath)
        while dir != "/" {
            if FileManager.default.fileExists(atPath: dir + "/rules/common") { return dir }
            dir = (dir as NSString).deletingLastPathComponent
        }
        fatalError("fuzz: run from the repository (or set LINJA_ROOT): no rules/ found")
    }()

    /// A scratch directory of this process (RAM-backed when /dev/shm exists),
    /// removed at exit.
    static let scratch: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        // Folders of harness processes that died without cleaning up.
        for e in (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? [] where e.hasPrefix("linja-fuzz-") {
            if let pid = Int32(e.dropFirst("linja-fuzz-".count)), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH {
                try? FileManager.default.removeItem(atPath: base + "/" + e)
            }
        }
        let dir = Paths.normalize(base + "/linja-fuzz-\(getpid())")
        try? FileManager.default.removeItem(atPath: dir)
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: Fuzz.scratch) }
        return dir
    }()

    /// Copies a directory of the repository into the scratch rules tree.
    static func copy(_ from: String, to: String) {
        let fm = FileManager.default
        try? fm.removeItem(atPath: to)
        try! fm.createDirectory(atPath: (to as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try! fm.copyItem(atPath: from, toPath: to)
    }

    /// Writes bytes to a scratch file, replacing it.
    static func write(_ bytes: [UInt8], to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0, "fuzz: cannot write \(path)")
        var done = 0
        bytes.withUnsafeBytes { p in
            while done < p.count {
                let n = Glibc.write(fd, p.baseAddress! + done, p.count - done)
                precondition(n > 0, "fuzz: short write to \(path)")
                done += n
            }
        }
        close(fd)
    }

    /// A property failed: say what, show the input, and trap so that
    /// libFuzzer saves the input as a crash.
    static func fail(_ what: String, _ detail: @autoclosure () -> String = "") -> Never {
        var s = "\n=== LINJA FUZZ PROPERTY FAILED: \(what) ===\n"
        let d = detail()
        if !d.isEmpty { s += d + "\n" }
        FileHandle.standardError.write(Data(s.utf8))
        fatalError("fuzz property failed: \(what)")
    }

    /// A diagnostic without its position: formatting moves text, so only
    /// code, severity and message are compared.
    static func key(_ d: Diagnostic) -> String {
        "\(d.code.rawValue) \(d.severity.rawValue): \(d.message)"
    }

    /// `LINJA_FUZZ_VERBOSE=1`: harnesses say what they did with each input
    /// (for looking at single inputs: `./check FILE`).
    static let verbose = ProcessInfo.processInfo.environment["LINJA_FUZZ_VERBOSE"] == "1"

    static func log(_ s: @autoclosure () -> String) {
        if verbose { FileHandle.standardError.write(Data((s() + "\n").utf8)) }
    }

    static func render(_ ds: [Diagnostic]) -> String {
        ds.map { d in (d.location.map { "\($0): " } ?? "") + key(d) }.joined(separator: "\n")
    }
}
