#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A newline-delimited JSON channel: a Unix socket, or a pair of inherited descriptors
/// (the bridge's stdin and stdout pipes). Blocking, one caller.
final class LineChannel {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let readFD: Int32
    private let writeFD: Int32
    private var buffer: [UInt8] = []
    private var scanned = 0
    private var chunk = [UInt8](repeating: 0, count: 1 << 16)

    init(readFD: Int32, writeFD: Int32) {
        self.readFD = readFD
        self.writeFD = writeFD
    }

    convenience init(unixPath path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw Failure(description: "socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (offset, byte) in bytes.enumerated() { raw[offset] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            close(fd)
            throw Failure(description: "connect \(path): errno \(code)")
        }
        self.init(readFD: fd, writeFD: fd)
    }

    func send(_ line: String) throws {
        let bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(writeFD, $0.baseAddress, $0.count) }
            guard written > 0 else { throw Failure(description: "write: errno \(errno)") }
            offset += written
        }
    }

    /// Calls `body` with the next line (without its newline); false on EOF or timeout.
    func nextLine(timeout: Double, _ body: (UnsafeRawBufferPointer) -> Void) throws -> Bool {
        let deadline = Clock.monotonicSeconds() + timeout
        while true {
            if let newline = buffer.withUnsafeBytes({ ByteSearch.find(UInt8(ascii: "\n"), in: $0, from: scanned) }) {
                buffer.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[0..<newline])) }
                buffer.removeSubrange(0...newline)
                scanned = 0
                return true
            }
            scanned = buffer.count
            let remaining = deadline - Clock.monotonicSeconds()
            guard remaining > 0 else { return false }
            var descriptor = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(remaining, 1) * 1_000) + 1)
            if ready < 0, errno != EINTR { throw Failure(description: "poll: errno \(errno)") }
            guard ready > 0 else { continue }
            let count = chunk.withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) }
            if count == 0 { return false }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw Failure(description: "read: errno \(errno)")
            }
            buffer.append(contentsOf: chunk[0..<count])
        }
    }
}
