import Foundation

/// Running a child process and reading what the kernel counted for it.
public enum ChildProcess {
    /// Runs `executable` with `arguments` (searched in PATH when it has no
    /// slash), inheriting standard input, output and error, or sending
    /// output and error to files. Returns the exit status (128 + signal when
    /// killed, -1 when it could not start), the child's peak resident
    /// memory in KiB (`ru_maxrss`) and the processor time it used (user and
    /// system, all threads), which other processes on a busy machine move
    /// much less than wall time, and the part of that time spent in the
    /// kernel on its behalf (writing files, faulting pages in).
    public static func run(_ executable: String, _ arguments: [String], stdoutPath: String? = nil,
                           stderrPath: String? = nil) -> (status: Int32, peakKB: Int, cpuSeconds: Double, systemSeconds: Double) {
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdoutPath { posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        if let stderrPath { posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        let started = executable.contains("/")
            ? posix_spawn(&pid, executable, &actions, nil, argv, environ)
            : posix_spawnp(&pid, executable, &actions, nil, argv, environ)
        guard started == 0 else { return (-1, 0, 0, 0) }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { return (-1, 0, 0, 0) }
        }
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return (exit, Int(usage.ru_maxrss), seconds(usage.ru_utime) + seconds(usage.ru_stime), seconds(usage.ru_stime))
    }
}
