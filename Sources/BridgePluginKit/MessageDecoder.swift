/// An incremental decoder of one framing: fed arbitrary chunks of a byte stream, it
/// reports each complete message, never buffering more than about `maxMessageBytes`.
public protocol MessageDecoder {
    /// True while a message has started but not ended (e.g. to log what the end of the
    /// stream cut off).
    var hasIncompleteMessage: Bool { get }

    /// Consumes `chunk`, calling `handle` for every event in stream order.
    mutating func feed(_ chunk: UnsafeRawBufferPointer, _ handle: (FrameEvent) -> Void)
}
