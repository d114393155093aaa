import Foundation
import EarthEngineOperations

/// The emulator's simulated time: wall-clock time (optionally sped up), or a manual clock that a
/// test advances, so that runs can be exactly reproduced.
final class EmulatorClock: Sendable {
    private let mode: EmulatorConfiguration.ClockMode
    private let origin: Date
    private let realOrigin = ContinuousClock.now
    private let manualOffset = Locked<TimeInterval>(0)

    init(mode: EmulatorConfiguration.ClockMode) {
        self.mode = mode
        switch mode {
        case .realTime: origin = Date()
        case .manual(let start): origin = start
        }
    }

    var now: Date {
        switch mode {
        case .realTime(let speed):
            origin.addingTimeInterval(realOrigin.duration(to: .now).seconds * speed)
        case .manual:
            origin.addingTimeInterval(manualOffset.withLock { $0 })
        }
    }

    /// How many simulated seconds pass per real second (0 for a manual clock).
    var speed: Double {
        if case .realTime(let speed) = mode { return speed }
        return 0
    }

    /// Moves a manual clock forward; returns false for a real-time clock.
    func advance(by seconds: TimeInterval) -> Bool {
        guard case .manual = mode else { return false }
        manualOffset.withLock { $0 += max(0, seconds) }
        return true
    }
}
