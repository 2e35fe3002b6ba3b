#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Decodes newline-delimited messages (one JSON text per line, `\n` or `\r\n`).
/// Blank and whitespace-only lines are skipped. A line longer than the limit is
/// dropped up to its newline and reported once as `.oversize`.
public struct NDJSONDecoder: MessageDecoder {
    public let maxMessageBytes: Int
    /// The start of a line whose newline has not arrived yet.
    private var partial: [UInt8] = []
    /// While skipping an oversize line: how many bytes of it were skipped so far.
    private var skipped: Int?

    public init(maxMessageBytes: Int) {
        precondition(maxMessageBytes > 0, "the message size limit must be positive")
        self.maxMessageBytes = maxMessageBytes
    }

    public var hasIncompleteMessage: Bool {
        skipped != nil || !partial.allSatisfy(JSONWhitespace.contains)
    }

    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ handle: (FrameEvent) -> Void) {
        var start = 0
        while start < chunk.count {
            let rest = UnsafeRawBufferPointer(rebasing: chunk[start...])
            guard let newline = Self.indexOfNewline(in: rest) else {
                carry(rest)
                return
            }
            endLine(UnsafeRawBufferPointer(rebasing: rest[..<newline]), handle)
            start += newline + 1
        }
    }

    /// Keeps the unterminated end of a chunk, or counts it when the line is already
    /// too long. One byte of slack leaves room for the `\r` of a `\r\n`.
    private mutating func carry(_ bytes: UnsafeRawBufferPointer) {
        if let count = skipped {
            skipped = count + bytes.count
        } else if partial.count + bytes.count > maxMessageBytes + 1 {
            skipped = partial.count + bytes.count
            partial = []
        } else {
            partial.append(contentsOf: bytes)
        }
    }

    /// Handles a line's last bytes (its newline excluded), joined to any carried start.
    private mutating func endLine(_ tail: UnsafeRawBufferPointer, _ handle: (FrameEvent) -> Void) {
        if let count = skipped {
            skipped = nil
            handle(.oversize(byteCount: count + tail.count))
        } else if partial.isEmpty {
            emit(tail, handle)
        } else if partial.count + tail.count > maxMessageBytes + 1 {
            let count = partial.count + tail.count
            partial = []
            handle(.oversize(byteCount: count))
        } else {
            partial.append(contentsOf: tail)
            partial.withUnsafeBytes { emit($0, handle) }
            // Keep a small buffer for the next line; give a large one back.
            partial.removeAll(keepingCapacity: partial.capacity <= 64 * 1024)
        }
    }

    private func emit(_ line: UnsafeRawBufferPointer, _ handle: (FrameEvent) -> Void) {
        var length = line.count
        if length > 0 && line[length - 1] == UInt8(ascii: "\r") { length -= 1 }
        if length > maxMessageBytes {
            handle(.oversize(byteCount: line.count))
            return
        }
        let text = UnsafeRawBufferPointer(rebasing: line[..<length])
        if text.allSatisfy(JSONWhitespace.contains) { return }
        handle(.message(text))
    }

    private static func indexOfNewline(in bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress, let found = memchr(base, 0x0A, bytes.count) else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }
}
