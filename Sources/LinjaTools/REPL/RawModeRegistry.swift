// Restoring the terminal from a signal handler.

import Foundation
import Glibc
import Synchronization

// MARK: - Signal-safe restore

/// The one place a signal handler can find the terminal mode to restore.
///
/// Lives for the whole process (a `let` global). The termios records and
/// previous signal actions are written only by the thread that switches
/// raw mode, before the descriptor is published through the atomic, and
/// are only read by the handlers afterwards: hence `@unchecked Sendable`.
final class RawModeRegistry: @unchecked Sendable {
    static let shared = RawModeRegistry()

    /// Descriptor in raw mode, or -1.
    let activeDescriptor = Atomic<Int32>(-1)
    let redrawRequested = Atomic<Bool>(false)
    /// Bit n set: our handler is installed for signal n.
    let installedSignals = Atomic<UInt64>(0)
    private let exitHandlerRegistered = Atomic<Bool>(false)

    let original = UnsafeMutablePointer<termios>.allocate(capacity: 1)
    let raw = UnsafeMutablePointer<termios>.allocate(capacity: 1)
    /// Previous action per signal number.
    let previousActions = UnsafeMutablePointer<sigaction>.allocate(capacity: 64)

    /// Signals whose default action ends or stops the process with the
    /// terminal still raw. Taken over only while they have that default
    /// action: a program with its own handler (say, SIGINT to interrupt an
    /// evaluation) keeps it.
    static let defaultActionSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP]
    /// Crashes: the terminal is restored and the previous handler (such as
    /// Swift's backtracer) runs when the faulting instruction repeats.
    static let crashSignals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT]
    /// Signals that only ask for a redraw (and re-entering raw mode).
    static let redrawSignals: [Int32] = [SIGWINCH, SIGCONT]

    private init() {
        original.initialize(to: termios())
        raw.initialize(to: termios())
        previousActions.initialize(repeating: sigaction(), count: 64)
    }

    func activate(descriptor: Int32, original: termios, raw: termios) {
        self.original.pointee = original
        self.raw.pointee = raw
        if !exitHandlerRegistered.exchange(true, ordering: .acquiringAndReleasing) {
            atexit { RawModeRegistry.shared.restoreFromSignalOrExit() }
        }
        activeDescriptor.store(descriptor, ordering: .releasing)
        for signal in Self.defaultActionSignals { install(signal, onlyOverDefaultAction: true) }
        for signal in Self.crashSignals + Self.redrawSignals { install(signal, onlyOverDefaultAction: false) }
    }

    func deactivate() {
        let installed = installedSignals.exchange(0, ordering: .acquiringAndReleasing)
        for signal in Int32(1)..<64 where installed & (1 << UInt64(signal)) != 0 {
            sigaction(signal, previousActions + Int(signal), nil)
        }
        let descriptor = activeDescriptor.exchange(-1, ordering: .acquiringAndReleasing)
        if descriptor >= 0 { tcsetattr(descriptor, TCSADRAIN, original) }
    }

    /// Installs our handler, keeping the previous action to chain to.
    /// With `onlyOverDefaultAction`, an ignored signal (SIGHUP under nohup,
    /// SIGTSTP without job control) or one the program handles is left alone.
    private func install(_ signal: Int32, onlyOverDefaultAction: Bool) {
        guard signal > 0, signal < 64 else { return }
        var previous = sigaction()
        guard sigaction(signal, nil, &previous) == 0 else { return }
        let handler = unsafeBitCast(previous.__sigaction_handler.sa_handler, to: Int.self)
        let isDefault = handler == 0 && previous.sa_flags & SA_SIGINFO == 0
        if onlyOverDefaultAction && !isDefault { return }
        previousActions[Int(signal)] = previous
        var action = sigaction()
        action.__sigaction_handler.sa_handler = terminalSignalHandler
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0  // no SA_RESTART: a resize must wake the blocked read
        if sigaction(signal, &action, nil) == 0 {
            installedSignals.bitwiseOr(1 << UInt64(signal), ordering: .acquiringAndReleasing)
        }
    }

    /// Async-signal-safe: only atomics, tcsetattr, sigaction and raise.
    fileprivate func handle(_ signal: Int32) {
        let descriptor = activeDescriptor.load(ordering: .acquiring)
        switch signal {
        case SIGWINCH:
            redrawRequested.store(true, ordering: .releasing)
        case SIGCONT:
            // Back from a stop: the shell may have reset the mode.
            if descriptor >= 0 {
                tcsetattr(descriptor, TCSADRAIN, raw)
                reinstallAfterStop()
            }
            redrawRequested.store(true, ordering: .releasing)
        case SIGTSTP:
            if descriptor >= 0 { tcsetattr(descriptor, TCSADRAIN, original) }
            // Stop with the previous (normally default) action; SIGCONT puts
            // our handler back.
            sigaction(SIGTSTP, previousActions + Int(SIGTSTP), nil)
            raise(SIGTSTP)
        case SIGSEGV, SIGBUS, SIGILL, SIGFPE:
            // Returning repeats the fault, now with the previous action.
            restoreFromSignalOrExit()
            sigaction(signal, previousActions + Int(signal), nil)
        default:
            restoreFromSignalOrExit()
            sigaction(signal, previousActions + Int(signal), nil)
            raise(signal)
        }
    }

    private func reinstallAfterStop() {
        guard installedSignals.load(ordering: .acquiring) & (1 << UInt64(SIGTSTP)) != 0 else { return }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = terminalSignalHandler
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGTSTP, &action, nil)
    }

    fileprivate func restoreFromSignalOrExit() {
        let descriptor = activeDescriptor.exchange(-1, ordering: .acquiringAndReleasing)
        if descriptor >= 0 { tcsetattr(descriptor, TCSADRAIN, original) }
    }
}

/// `write(2)`, reachable from inside `Terminal`, whose own `write` hides it.
func writeToDescriptor(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}

/// C-compatible handler; forwards to the registry.
private func terminalSignalHandler(_ signal: Int32) {
    RawModeRegistry.shared.handle(signal)
}
