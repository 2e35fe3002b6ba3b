#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import BridgePluginKit
import CBridgePlugin

/// One accepted connection as the I/O thread sees it: the descriptor (non-blocking), the
/// line decoder, and the message being written. Only the I/O thread touches it.
final class UnixConnection {
    enum ReadOutcome {
        /// Read what there was (or the per-turn budget).
        case open
        /// The peer shut down its writing side (or closed).
        case ended
        case failed(String)
    }

    enum FlushOutcome {
        /// Everything queued was written.
        case idle
        /// The socket buffer is full: wait for POLLOUT.
        case blocked
        /// The close the host asked for has flushed everything.
        case finished
        case failed(String)
    }

    /// Chunks read per readiness event, so one busy peer cannot starve the others.
    private static let readsPerTurn = 16

    let descriptor: Int32
    let client: UnixClient
    let peer: PeerCredentials
    private var decoder: NDJSONDecoder
    /// The message being written and how many of its bytes (its newline included) are out.
    private var writing: (message: SharedMessage, offset: Int)?
    /// Set when the last flush stopped at a full socket buffer.
    private(set) var wantsWritable = false
    /// The peer half-closed (shutdown(SHUT_WR)): answers still go out until it closes.
    var inputEnded = false

    init(descriptor: Int32, client: UnixClient, peer: PeerCredentials, maxMessageBytes: Int) {
        self.descriptor = descriptor
        self.client = client
        self.peer = peer
        decoder = NDJSONDecoder(maxMessageBytes: maxMessageBytes)
    }

    var isClosing: Bool { client.pendingClose != nil }

    /// Reads what the peer sent and hands each event to `handle`, in order.
    func read(into buffer: inout [UInt8], _ handle: (FrameEvent) -> Void) -> ReadOutcome {
        for _ in 0..<Self.readsPerTurn {
            let (count, error) = buffer.withUnsafeMutableBytes { bytes -> (Int, Int32) in
                let result = recv(descriptor, bytes.baseAddress, bytes.count, 0)
                return (result, errno)
            }
            if count > 0 {
                buffer.withUnsafeBytes { decoder.feed(UnsafeRawBufferPointer(rebasing: $0[..<count]), handle) }
            } else if count == 0 {
                return .ended
            } else if error == EAGAIN || error == EWOULDBLOCK {
                return .open
            } else if error != EINTR {
                return .failed("read failed: \(SystemError(error))")
            }
        }
        return .open
    }

    /// True when the peer's stream stopped in the middle of a line.
    var endedInsideMessage: Bool { decoder.hasIncompleteMessage }

    /// Writes queued messages, each followed by a newline, until the queue is empty or the
    /// socket buffer is full.
    func flush() -> FlushOutcome {
        while true {
            if writing == nil {
                switch client.outbox.take(until: .now) {
                case .message(let message, _): writing = (message, 0)
                case .timedOut:
                    wantsWritable = false
                    return .idle
                case .finished:
                    wantsWritable = false
                    return .finished
                }
            }
            guard let (message, offset) = writing else { continue }
            let (written, error) = Self.send(message, from: offset, to: descriptor)
            if written > 0 {
                let total = offset + written
                writing = total == message.count + 1 ? nil : (message, total)
            } else if error == EAGAIN || error == EWOULDBLOCK {
                wantsWritable = true
                return .blocked
            } else if error != EINTR {
                return .failed("write failed: \(SystemError(error))")
            }
        }
    }

    /// One sendmsg of the rest of `message` and its newline, without copying the message;
    /// MSG_NOSIGNAL turns a vanished peer into EPIPE instead of a SIGPIPE.
    private static func send(_ message: SharedMessage, from offset: Int, to descriptor: Int32) -> (Int, Int32) {
        var newline = UInt8(ascii: "\n")
        return message.withBytes { body in
            withUnsafeMutablePointer(to: &newline) { newlinePointer in
                var vectors = [iovec]()
                if offset < body.count, let base = body.baseAddress {
                    vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: base + offset), iov_len: body.count - offset))
                }
                vectors.append(iovec(iov_base: UnsafeMutableRawPointer(newlinePointer), iov_len: 1))
                return vectors.withUnsafeMutableBufferPointer { buffer in
                    var header = msghdr()
                    header.msg_iov = buffer.baseAddress
                    header.msg_iovlen = buffer.count
                    let result = sendmsg(descriptor, &header, Int32(MSG_NOSIGNAL))
                    return (result, errno)
                }
            }
        }
    }
}
