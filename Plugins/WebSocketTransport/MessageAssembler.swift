/// Joins the pieces lws delivers (frames split by its receive buffer, continuation
/// frames) into whole messages, never holding more than the size limit.
struct MessageAssembler {
    enum Event {
        /// A complete text message; borrowed for the duration of the callback.
        case message(UnsafeRawBufferPointer)
        /// The message grows beyond the limit (close 1009).
        case tooLarge
        /// A binary message: the protocol is JSON text only (close 1003).
        case binary
    }

    /// One piece of a message as lws reports it.
    struct Piece {
        var bytes: UnsafeRawBufferPointer
        var isFirst: Bool
        var isFinal: Bool
        var isBinary: Bool
        /// Bytes of the current frame still to come.
        var remainingInFrame: Int
    }

    let limit: Int
    private var buffer: [UInt8] = []

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes one piece; `handle` sees a complete message, or why the connection must end.
    mutating func append(_ piece: Piece, _ handle: (Event) -> Void) {
        if piece.isFirst && piece.isBinary {
            handle(.binary)
            return
        }
        guard buffer.count + piece.bytes.count + piece.remainingInFrame <= limit else {
            buffer = []
            handle(.tooLarge)
            return
        }
        if piece.isFinal && buffer.isEmpty {
            handle(.message(piece.bytes))
            return
        }
        buffer.append(contentsOf: piece.bytes)
        guard piece.isFinal else { return }
        buffer.withUnsafeBytes { handle(.message($0)) }
        // Keep a small buffer for the next message; give a large one back.
        buffer.removeAll(keepingCapacity: buffer.capacity <= 64 * 1024)
    }
}
