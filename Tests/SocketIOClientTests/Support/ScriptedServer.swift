import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP server whose connections are driven by a test script, for faults a
/// real server cannot be made to produce on demand: a peer that goes silent (half-open
/// connection), that never answers the upgrade, or that sends fragmented, binary or
/// oversized WebSocket frames. It speaks real RFC 6455 framing over real sockets.
final class ScriptedServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let connections = NSLock()
    private var peers: [ScriptedPeer] = []
    private var connectionCount = 0

    /// `script` runs on its own thread for every accepted connection, with the connection's
    /// index (0 for the first).
    init(script: @escaping @Sendable (ScriptedPeer, Int) throws -> Void) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed") }
        var reuse: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 8) == 0 else {
            close(fd)
            throw TestFailure("bind/listen failed")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))

        let thread = Thread { [self] in
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 { return }
                let peer = ScriptedPeer(fd: client)
                let index: Int = connections.withLock {
                    peers.append(peer)
                    connectionCount += 1
                    return connectionCount - 1
                }
                Thread {
                    try? script(peer, index)
                }.start()
            }
        }
        thread.start()
    }

    var acceptedConnections: Int { connections.withLock { connectionCount } }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for peer in connections.withLock({ peers }) { peer.close() }
    }
}

/// One accepted connection as seen by a script.
final class ScriptedPeer: @unchecked Sendable {
    private let fd: Int32
    private let state = NSLock()
    private var closed = false
    private var buffer: [UInt8] = []

    init(fd: Int32) {
        self.fd = fd
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    func close() {
        let shouldClose = state.withLock { () -> Bool in
            defer { closed = true }
            return !closed
        }
        if shouldClose {
            shutdown(fd, Int32(SHUT_RDWR))
            Glibc.close(fd)
        }
    }

    /// Reads the HTTP upgrade request and accepts it; returns the request head.
    @discardableResult
    func acceptUpgrade() throws -> String {
        var head: [UInt8] = []
        while !(head.count >= 4 && Array(head.suffix(4)) == Array("\r\n\r\n".utf8)) {
            head.append(try readByte())
        }
        let request = String(decoding: head, as: UTF8.self)
        guard let keyLine = request.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("sec-websocket-key:") }),
              let colon = keyLine.firstIndex(of: ":") else {
            throw TestFailure("no Sec-WebSocket-Key in \(request)")
        }
        let key = keyLine[keyLine.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        let digest = sha1(Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))
        let response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: \(Data(digest).base64EncodedString())\r\n\r\n"
        try write(Array(response.utf8))
        return request
    }

    /// Sends one unmasked server frame.
    func sendFrame(opcode: UInt8, _ payload: [UInt8], fin: Bool = true) throws {
        var frame: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        switch payload.count {
        case 0..<126:
            frame.append(UInt8(payload.count))
        case 126..<65536:
            frame.append(126)
            frame.append(contentsOf: [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)])
        default:
            frame.append(127)
            frame.append(contentsOf: (0..<8).reversed().map { UInt8((payload.count >> ($0 * 8)) & 0xFF) })
        }
        try write(frame + payload)
    }

    func sendText(_ text: String) throws { try sendFrame(opcode: 1, Array(text.utf8)) }

    /// Reads one client frame (unmasking it); answers nothing by itself.
    func readFrame() throws -> (opcode: UInt8, payload: [UInt8]) {
        let first = try readByte()
        let second = try readByte()
        var length = Int(second & 0x7F)
        if length == 126 {
            length = Int(try readByte()) << 8 | Int(try readByte())
        } else if length == 127 {
            length = 0
            for _ in 0..<8 { length = length << 8 | Int(try readByte()) }
        }
        var mask: [UInt8] = [0, 0, 0, 0]
        if second & 0x80 != 0 { mask = try (0..<4).map { _ in try readByte() } }
        var payload = try (0..<length).map { _ in try readByte() }
        for index in payload.indices { payload[index] ^= mask[index % 4] }
        return (first & 0x0F, payload)
    }

    /// The next client text frame, skipping control frames.
    func readText() throws -> String {
        while true {
            let frame = try readFrame()
            if frame.opcode == 1 { return String(decoding: frame.payload, as: UTF8.self) }
            if frame.opcode == 8 { throw TestFailure("client closed the WebSocket") }
        }
    }

    private func readByte() throws -> UInt8 {
        if buffer.isEmpty {
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = recv(fd, &chunk, chunk.count, 0)
            guard count > 0 else { throw TestFailure("connection closed or timed out") }
            buffer = Array(chunk[0..<count])
        }
        return buffer.removeFirst()
    }

    private func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw TestFailure("send failed") }
            offset += sent
        }
    }
}

/// SHA-1, only for the Sec-WebSocket-Accept header (Foundation on Linux has no SHA-1).
private func sha1(_ message: [UInt8]) -> [UInt8] {
    var h: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0]
    var data = message
    data.append(0x80)
    while data.count % 64 != 56 { data.append(0) }
    let bitLength = UInt64(message.count) * 8
    for shift in stride(from: 56, through: 0, by: -8) { data.append(UInt8((bitLength >> UInt64(shift)) & 0xFF)) }
    for chunk in stride(from: 0, to: data.count, by: 64) {
        var w = (0..<16).map { i in
            (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(data[chunk + i * 4 + $1]) }
        }
        for i in 16..<80 {
            let x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]
            w.append(x << 1 | x >> 31)
        }
        var (a, b, c, d, e) = (h[0], h[1], h[2], h[3], h[4])
        for i in 0..<80 {
            let (f, k): (UInt32, UInt32) = switch i {
            case 0..<20: ((b & c) | (~b & d), 0x5A82_7999)
            case 20..<40: (b ^ c ^ d, 0x6ED9_EBA1)
            case 40..<60: ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC)
            default: (b ^ c ^ d, 0xCA62_C1D6)
            }
            let temp = (a << 5 | a >> 27) &+ f &+ e &+ k &+ w[i]
            (e, d, c, b, a) = (d, c, b << 30 | b >> 2, a, temp)
        }
        h[0] &+= a; h[1] &+= b; h[2] &+= c; h[3] &+= d; h[4] &+= e
    }
    return h.flatMap { value in (0..<4).reversed().map { UInt8((value >> UInt32($0 * 8)) & 0xFF) } }
}
