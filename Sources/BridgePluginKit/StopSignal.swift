import Synchronization

/// A one-shot "stop now" for plugin threads that wait in poll(): once fired, its file
/// descriptor stays readable, so every poll() that watches it returns at once.
public final class StopSignal: Sendable {
    private let pipe: WakePipe
    private let fired = Atomic<Bool>(false)

    public init() throws {
        pipe = try WakePipe()
    }

    /// Watch this for POLLIN.
    public var descriptor: Int32 { pipe.descriptor }

    public var isFired: Bool { fired.load(ordering: .acquiring) }

    public func fire() {
        guard !fired.exchange(true, ordering: .acquiringAndReleasing) else { return }
        pipe.poke()
    }
}
