import BridgePluginKit

/// Tells the I/O thread, from any thread, which clients have something new to write or
/// a close to start: their ids are collected, and a pipe the thread polls is poked only
/// when the collection goes from empty to non-empty (one wake per burst, e.g. per
/// fan-out to every client).
final class LoopWakeup: Sendable {
    private let pipe: WakePipe
    private let pending = Locked<Set<UInt64>>([])

    init() throws {
        pipe = try WakePipe()
    }

    /// Watch this for POLLIN.
    var descriptor: Int32 { pipe.descriptor }

    func notify(_ client: UInt64) {
        let wasIdle = pending.withLock { pending in
            let wasIdle = pending.isEmpty
            pending.insert(client)
            return wasIdle
        }
        if wasIdle { pipe.poke() }
    }

    /// The clients notified since the last call. Empties the pipe first, so that a notify
    /// racing with this call leaves a poke behind for the next poll.
    func takePending() -> Set<UInt64> {
        pipe.drain()
        return pending.withLock { pending in
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
    }
}
