/// What an incremental decoder found in the bytes fed to it.
public enum FrameEvent {
    /// One complete message. The bytes are borrowed: valid only during the callback
    /// that receives them (the host's `client_message` copies what it keeps).
    case message(UnsafeRawBufferPointer)
    /// A message longer than the limit was skipped without being buffered;
    /// `byteCount` is its length.
    case oversize(byteCount: Int)
    /// The bytes broke the framing rules; the decoder has started resynchronising.
    case framingError(String)
}
