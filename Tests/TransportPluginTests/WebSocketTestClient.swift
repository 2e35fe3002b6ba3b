#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A minimal RFC 6455 client on a blocking TCP socket: the handshake, masked text frames
/// out, whole frames in. Enough to drive the WebSocket transport from a test.
final class WebSocketTestClient: @unchecked Sendable {
    struct Frame: Equatable {
        let opcode: UInt8
        let payload: [UInt8]
        var text: String { String(decoding: payload, as: UTF8.self) }
        /// The close code of a close frame.
        var closeCode: Int? { opcode == 8 && payload.count >= 2 ? Int(payload[0]) << 8 | Int(payload[1]) : nil }
    }

    private let descriptor: Int32
    private var buffer: [UInt8] = []
    /// The status line of the server's handshake answer.
    private(set) var status = ""

    init(port: Int, path: String = "/") throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw TestFailure("cannot connect to port \(port): errno \(errno)")
        }
        write(Array(("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").utf8))
        let terminator: [UInt8] = [13, 10, 13, 10]
        while true {
            if let end = (0..<max(0, buffer.count - 3)).first(where: { Array(buffer[$0..<$0 + 4]) == terminator }) {
                status = String(decoding: buffer[..<end].prefix { $0 != 13 }, as: UTF8.self)
                buffer.removeFirst(end + 4)
                return
            }
            guard fill() else { throw TestFailure("the server closed during the handshake") }
        }
    }

    deinit { close(descriptor) }

    /// A text frame; `masked: false` breaks RFC 6455 §5.1 (clients must mask every frame).
    func sendText(_ text: String, masked: Bool = true) {
        let payload = Array(text.utf8)
        let mask: [UInt8] = masked ? [0x12, 0x34, 0x56, 0x78] : []
        let maskBit: UInt8 = masked ? 0x80 : 0
        var frame: [UInt8] = [0x81]
        if payload.count < 126 {
            frame.append(maskBit | UInt8(payload.count))
        } else {
            frame += [maskBit | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        }
        frame += mask
        frame += masked ? payload.enumerated().map { $1 ^ mask[$0 % 4] } : payload
        write(frame)
    }

    /// The next frame, or nil when the connection ends first (or nothing comes for 10 s).
    func readFrame() -> Frame? {
        guard ensure(2) else { return nil }
        let opcode = buffer[0] & 0x0F
        var length = Int(buffer[1] & 0x7F)
        var header = 2
        if length == 126 {
            guard ensure(4) else { return nil }
            length = Int(buffer[2]) << 8 | Int(buffer[3])
            header = 4
        } else if length == 127 {
            guard ensure(10) else { return nil }
            length = (2..<10).reduce(0) { $0 << 8 | Int(buffer[$1]) }
            header = 10
        }
        guard ensure(header + length) else { return nil }
        let frame = Frame(opcode: opcode, payload: Array(buffer[header..<header + length]))
        buffer.removeFirst(header + length)
        return frame
    }

    private func ensure(_ count: Int) -> Bool {
        while buffer.count < count {
            guard fill() else { return false }
        }
        return true
    }

    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[..<count])
        return true
    }

    private func write(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}
