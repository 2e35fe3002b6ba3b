#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A blocking HTTP/1.0 GET to a loopback control API (`http://IP:PORT`), off the hot path.
struct PlainHTTP: Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let host: String
    let port: UInt16

    init(baseURL: String) throws {
        guard baseURL.hasPrefix("http://") else { throw Failure(description: "not an http:// URL: \(baseURL)") }
        let authority = baseURL.dropFirst(7).prefix { $0 != "/" }
        guard let colon = authority.lastIndex(of: ":"), let port = UInt16(authority[authority.index(after: colon)...]) else {
            throw Failure(description: "no port in \(baseURL)")
        }
        host = String(authority[..<colon])
        self.port = port
    }

    /// The body of a 200 answer.
    func get(_ path: String) throws -> [UInt8] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw Failure(description: "not an IPv4 address: \(host)") }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect \(host):\(port): errno \(errno)") }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: \(host):\(port)\r\n\r\n".utf8)
        var offset = 0
        while offset < request.count {
            let written = request[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw Failure(description: "send: errno \(errno)") }
            offset += written
        }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            guard count > 0 else { throw Failure(description: "recv: errno \(errno)") }
            response.append(contentsOf: chunk[0..<count])
        }
        let separator = Array("\r\n\r\n".utf8)
        guard let split = (0..<max(0, response.count - 3)).first(where: { response[$0..<($0 + 4)].elementsEqual(separator) }) else {
            throw Failure(description: "no HTTP header in the answer to \(path)")
        }
        let statusLine = String(decoding: response[0..<split], as: UTF8.self).prefix { $0 != "\r" }
        guard statusLine.split(separator: " ").dropFirst().first == "200" else {
            throw Failure(description: "GET \(path): \(statusLine)")
        }
        return Array(response[(split + 4)...])
    }
}
