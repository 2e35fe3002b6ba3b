#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A connection to a plugin's Unix-domain socket, as a local tool would open it.
final class UnixSocketClient: @unchecked Sendable {
    private let descriptor: Int32
    private var received: [UInt8] = []
    private(set) var ended = false

    init(path: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { bytes in
            for (index, byte) in path.utf8.prefix(bytes.count - 1).enumerated() { bytes[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw TestFailure("cannot connect to \(path): errno \(errno)")
        }
    }

    deinit { close(descriptor) }

    func write(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// shutdown(SHUT_WR): no more requests, answers still welcome (what `socat` does at EOF).
    func shutDownWriting() {
        shutdown(descriptor, Int32(SHUT_WR))
    }

    /// Reads until `condition` holds for everything received, or the connection ends (10 s at most).
    func receive(timeout: Double = 10, until condition: (String) -> Bool) async -> String {
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(Int(timeout * 1000))
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !condition(text) && !ended && clock.now < deadline {
            var watched = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            if poll(&watched, 1, 0) > 0 {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count <= 0 { ended = true } else { received.append(contentsOf: buffer[..<count]) }
            } else {
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
        return text
    }

    var text: String { String(decoding: received, as: UTF8.self) }
}
