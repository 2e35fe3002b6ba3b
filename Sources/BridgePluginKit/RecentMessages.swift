#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Locking

/// The last few large messages the host handed over one client at a time, so that the same
/// bytes sent again (a catch-up page every subscriber resuming from one place gets, one
/// `send` each) share one copy instead of taking a fresh one per client: in a resume storm
/// those copies, and the page faults of their fresh memory, were a seventh of the bridge's
/// time. A message is reused only when its bytes are equal, so the host may free or reuse
/// its buffer at will, and only while some client's queue still holds it: kept weakly, a
/// large answer is freed once written, not held here.
final class RecentMessages: Sendable {
    /// Smaller messages are copied every time: the copy costs less than the comparison.
    static let minimumBytes = 4096
    static let capacity = 8

    private struct Kept: Sendable {
        weak var message: SharedMessage?
    }

    private let headroom: Int
    /// Newest last.
    private let recent = Locked<[Kept]>([])

    init(headroom: Int) {
        self.headroom = headroom
    }

    func message(_ bytes: UnsafeRawBufferPointer) -> SharedMessage {
        guard bytes.count >= Self.minimumBytes, let base = bytes.baseAddress else {
            return SharedMessage(bytes: bytes, headroom: headroom)
        }
        let candidates = recent.withLock { $0.compactMap(\.message) }
        for candidate in candidates.reversed() where candidate.count == bytes.count {
            let equal = candidate.withBytes { kept in kept.baseAddress.map { memcmp($0, base, bytes.count) == 0 } ?? false }
            if equal { return candidate }
        }
        let message = SharedMessage(bytes: bytes, headroom: headroom)
        recent.withLock { recent in
            if recent.count == Self.capacity { recent.removeFirst() }
            recent.append(Kept(message: message))
        }
        return message
    }
}
