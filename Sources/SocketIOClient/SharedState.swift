import CLibWebSockets
import Locking

/// The lws context pointer as published to other threads (OpaquePointer is not Sendable).
/// Only `lws_cancel_service` may be called through it, and only under the shared lock.
struct ContextRef: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// Headroom lws needs in front of every payload for the WebSocket header.
let lwsHeadroom = Int(clws_pre())

/// An outgoing text frame, allocated once with the lws headroom already in front so the
/// service thread can hand it to `lws_write` without copying.
struct OutgoingFrame: Sendable {
    var storage: [UInt8]

    init(_ text: String) {
        storage = [UInt8](repeating: 0, count: lwsHeadroom)
        storage.append(contentsOf: text.utf8)
    }

    var payloadCount: Int { storage.count - lwsHeadroom }
}

/// A FIFO of frames bounded in count and bytes.
struct FrameQueue: Sendable {
    let maxCount: Int
    let maxBytes: Int
    private var frames: [OutgoingFrame] = []
    private var head = 0
    private(set) var byteCount = 0

    init(maxCount: Int, maxBytes: Int) {
        self.maxCount = max(1, maxCount)
        self.maxBytes = max(1, maxBytes)
    }

    var count: Int { frames.count - head }
    var isEmpty: Bool { count == 0 }

    mutating func append(_ frame: OutgoingFrame) -> Bool {
        guard count < maxCount, byteCount + frame.payloadCount <= maxBytes else { return false }
        frames.append(frame)
        byteCount += frame.payloadCount
        return true
    }

    mutating func popFirst() -> OutgoingFrame? {
        guard head < frames.count else { return nil }
        let frame = frames[head]
        frames[head] = OutgoingFrame("")  // release the storage now
        head += 1
        byteCount -= frame.payloadCount
        if head > 32 && head * 2 > frames.count {
            frames.removeFirst(head)
            head = 0
        }
        return frame
    }

    mutating func removeAll() {
        frames.removeAll()
        head = 0
        byteCount = 0
    }
}

/// An `emitWithAck` waiting for the server's ACK.
struct PendingAck: Sendable {
    let continuation: CheckedContinuation<String, any Error>
    var timeoutTask: Task<Void, Never>?
}

/// The outcome of resolving the server's host name off the service thread.
enum Resolution: Sendable {
    case addresses([String])
    case failed(String)
}

/// State shared between the service thread and callers on other threads; always accessed
/// through `Locked<SharedState>`.
struct SharedState: Sendable {
    /// Non-nil while the service loop runs. The service thread clears it (under the lock)
    /// before destroying the context, so a wake-up can never touch a destroyed context.
    var context: ContextRef?
    var stopRequested = false
    /// True while the namespace is connected: the only time `emit` accepts packets.
    var connected = false
    var maxPayload = Int.max
    var outbox: FrameQueue
    /// A wake-up is already pending; saves redundant `lws_cancel_service` calls.
    var wakeRequested = false
    var reconnectRequested = false
    var resolution: (generation: Int, result: Resolution)?
    var acks: [Int: PendingAck] = [:]
    var nextAckId = 0

    init(outboxLimit: (count: Int, bytes: Int)) {
        outbox = FrameQueue(maxCount: outboxLimit.count, maxBytes: outboxLimit.bytes)
    }

    /// Wakes the service thread (call with the lock held).
    mutating func wake() {
        guard !wakeRequested, let context else { return }
        wakeRequested = true
        lws_cancel_service(context.pointer)
    }
}
