import Foundation

/// A file a command creates (`--out`, `--skip-invalid`, `generate --out`,
/// the files `fmt` rewrites): written to a temporary file in the same
/// directory and renamed over the path only when complete, so a run that
/// fails (a full disk, an I/O error, a signal) never leaves a partial file
/// looking complete, and never an old file half overwritten.
///
/// The path is refused when replacing it would do what the user did not
/// ask for: a symbolic link (whose target would be replaced behind their
/// back), a FIFO, a device or a socket (`report --out FIFO` used to replace
/// the FIFO with a regular file, and `--out /dev/full` as root the device
/// node), a directory, or the same file as one of the command's inputs by
/// device and inode (`--skip-invalid clients.csv` used to replace the
/// client file with its rejects).
///
/// Writes are buffered by an `Output`; a failure ends the program with exit
/// 2 and a message, after removing every unfinished temporary file.
public final class OutputFile {
    /// The path as given.
    public let path: String
    let temporary: String
    let output: Output
    var committed = false

    /// Opens a temporary file beside `path`. `inputs` are the files the
    /// command reads: the output must not be one of them.
    public init(path: String, inputs: [String] = []) throws {
        self.path = path
        var mode: mode_t = 0o666 & ~OutputFile.umask
        var st = stat()
        if lstat(path, &st) == 0 {
            switch st.st_mode & S_IFMT {
            case S_IFREG:
                if let input = inputs.first(where: { OutputFile.sameFile(st, $0) }) {
                    throw InputError(message: input == path ? "'\(path)' is an input of this command; write the output to another file"
                                     : "'\(path)' is the input file '\(input)'; write the output to another file")
                }
                mode = st.st_mode & 0o7777
            case S_IFLNK:
                throw InputError(message: "'\(path)' is a symbolic link; linja does not replace what a link leads to: give that file's own path, or another name")
            case S_IFDIR:
                throw InputError(message: "'\(path)' is a directory")
            default:
                throw InputError(message: "'\(path)' is not a regular file (a device, pipe or socket); linja writes only regular files: give another name, or '-' for standard output")
            }
        }
        let name = (path as NSString).lastPathComponent
        let dir = (path as NSString).deletingLastPathComponent
        var template = Array(((dir.isEmpty ? "" : dir + "/") + "." + name + ".linja-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw InputError(message: "cannot write '\(path)': \(String(cString: strerror(errno)))")
        }
        temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        _ = fchmod(fd, mode)
        output = Output(fd: fd, name: "'\(path)'")
        output.faultBudget = OutputFile.faultLimit
        OutputFile.register(temporary)
    }

    public func write(_ s: String) { output.write(s) }
    public func write(bytes: [UInt8]) { output.write(bytes: bytes) }

    /// Writes out everything, and renames the file into place. A failure
    /// ends the program (exit 2) and leaves the path as it was.
    public func commit() {
        guard !committed else { return }
        output.flush()
        if fsync(output.fd) != 0, errno != EINVAL {
            Console.writeFailed(output.name, errno: errno)
        }
        if close(output.fd) != 0 {
            Console.writeFailed(output.name, errno: errno)
        }
        if rename(temporary, path) != 0 {
            Console.writeFailed(output.name, errno: errno)
        }
        committed = true
        OutputFile.unregister(temporary)
    }

    deinit {
        if !committed {
            close(output.fd)
            unlink(temporary)
            OutputFile.unregister(temporary)
        }
    }

    // MARK: Unfinished files

    nonisolated(unsafe) static var unfinished: Set<String> = []
    static let lock = NSLock()

    static func register(_ p: String) { lock.lock(); unfinished.insert(p); lock.unlock() }
    static func unregister(_ p: String) { lock.lock(); unfinished.remove(p); lock.unlock() }

    /// Removes every temporary file not yet renamed into place (the
    /// program is about to end on an error).
    static func removeUnfinished() {
        lock.lock()
        for p in unfinished { unlink(p) }
        unfinished.removeAll()
        lock.unlock()
    }

    // MARK: Helpers

    /// Whether `path` is the file `st` describes (the same device and
    /// inode, following links).
    static func sameFile(_ st: stat, _ path: String) -> Bool {
        var other = stat()
        guard stat(path, &other) == 0 else { return false }
        return other.st_dev == st.st_dev && other.st_ino == st.st_ino
    }

    static let umask: mode_t = {
        let m = Foundation.umask(0o022)
        _ = Foundation.umask(m)
        return m
    }()

    /// `LINJA_FAULT_WRITE_LIMIT=N`: files this process creates fail with
    /// ENOSPC after N bytes, as on a full disk (for tests).
    static let faultLimit: Int? = ProcessInfo.processInfo.environment["LINJA_FAULT_WRITE_LIMIT"].flatMap { Int($0) }
}

/// Where a command's whole result goes: the file `--out` names (checked
/// and opened when the command starts, before any work) or standard output.
public struct OutputTarget {
    let file: OutputFile?

    /// `path` nil or "-" is standard output. `inputs` are the files the
    /// command reads; neither the file nor standard output may be one of them.
    public init(path: String?, inputs: [String]) throws {
        if let p = path, p != "-" {
            file = try OutputFile(path: p, inputs: inputs)
        } else {
            try Console.refuseOutput(onto: inputs)
            file = nil
        }
    }

    /// Writes the result: to the file, renamed into place (and said so on
    /// standard error), or to standard output.
    public func write(_ text: String) {
        guard let file else {
            Console.out.write(text)
            return
        }
        file.write(text)
        file.commit()
        Console.err.line("wrote \(file.path)")
    }

    /// Writes the result as bytes (a byte-order mark, say), as `write(_:)`.
    public func write(bytes: [UInt8]) {
        guard let file else {
            Console.out.write(bytes: bytes)
            return
        }
        file.write(bytes: bytes)
        file.commit()
        Console.err.line("wrote \(file.path)")
    }
}
