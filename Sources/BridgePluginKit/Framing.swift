/// How messages are delimited on a byte stream (the stdio transport accepts both and
/// answers in the one its client chose).
public enum Framing: Sendable, Equatable {
    /// One JSON text per line.
    case ndjson
    /// LSP: `Content-Length: N` headers, an empty line, N bytes.
    case contentLength

    /// The framing a stream uses, from its first byte that is not JSON whitespace: a
    /// JSON text starts with `{` or `[`, an LSP header with `C` or `c`. Nil for
    /// whitespace (undecided: look at the next byte).
    public static func detect(firstByte: UInt8) -> Framing? {
        if JSONWhitespace.contains(firstByte) { return nil }
        return firstByte == UInt8(ascii: "C") || firstByte == UInt8(ascii: "c") ? .contentLength : .ndjson
    }

    /// The framing of a stream and the offset of its first message, from the stream's
    /// first chunk; nil when the chunk holds only whitespace (look at the next one).
    public static func detect(in bytes: UnsafeRawBufferPointer) -> (framing: Framing, offset: Int)? {
        for (offset, byte) in bytes.enumerated() {
            if let framing = detect(firstByte: byte) { return (framing, offset) }
        }
        return nil
    }

    public func makeDecoder(maxMessageBytes: Int) -> any MessageDecoder {
        switch self {
        case .ndjson: NDJSONDecoder(maxMessageBytes: maxMessageBytes)
        case .contentLength: ContentLengthDecoder(maxMessageBytes: maxMessageBytes)
        }
    }

    /// `message` framed for writing.
    public func encode(_ message: SharedMessage) -> [UInt8] {
        message.withBytes { body in
            switch self {
            case .ndjson:
                var framed = [UInt8]()
                framed.reserveCapacity(body.count + 1)
                framed.append(contentsOf: body)
                framed.append(UInt8(ascii: "\n"))
                return framed
            case .contentLength:
                var framed = Array("Content-Length: \(body.count)\r\n\r\n".utf8)
                framed.reserveCapacity(framed.count + body.count)
                framed.append(contentsOf: body)
                return framed
            }
        }
    }
}
