/// One outgoing message, immutable and shared by every client it goes to (fan-out keeps
/// one copy). `headroom` bytes are reserved in front for transports that write a frame
/// header in place (libwebsockets' LWS_PRE), so writing needs no second copy.
public final class SharedMessage: Sendable {
    public let storage: [UInt8]
    public let headroom: Int

    public init(bytes: some Collection<UInt8>, headroom: Int = 0) {
        var storage: [UInt8] = []
        storage.reserveCapacity(headroom + bytes.count)
        storage.append(contentsOf: repeatElement(0, count: headroom))
        storage.append(contentsOf: bytes)
        self.storage = storage
        self.headroom = headroom
    }

    public convenience init(_ text: String, headroom: Int = 0) {
        self.init(bytes: Array(text.utf8), headroom: headroom)
    }

    public var count: Int { storage.count - headroom }

    /// The message bytes, without the headroom.
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[headroom...])) }
    }
}
