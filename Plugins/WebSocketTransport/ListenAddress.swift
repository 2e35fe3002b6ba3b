#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import BridgePluginKit

/// One `listen` entry: `HOST:PORT` with an IPv4 literal, `[IPv6]`, `localhost` or `*`
/// (every interface) as the host, and port 0 for an ephemeral one. No name lookups: the
/// daemon binds exactly what it was told.
struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// The address to bind; nil for every interface (IPv4 and IPv6).
    let host: String?
    let port: Int
    let isIPv6: Bool

    init(parsing text: String) throws {
        let invalid = PluginError("listen address \"\(text)\" must be HOST:PORT with an IP address, [IPv6], localhost or * as HOST")
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else {
            throw invalid
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
            guard Self.parses(host, family: AF_INET6) else { throw invalid }
            self.init(host: host, port: port, isIPv6: true)
        } else if host == "*" {
            self.init(host: nil, port: port, isIPv6: false)
        } else if host == "localhost" {
            self.init(host: "127.0.0.1", port: port, isIPv6: false)
        } else {
            guard Self.parses(host, family: AF_INET) else { throw invalid }
            self.init(host: host, port: port, isIPv6: false)
        }
    }

    init(host: String?, port: Int, isIPv6: Bool) {
        self.host = host
        self.port = port
        self.isIPv6 = isIPv6
    }

    /// The same address with the port the system actually bound.
    func bound(to port: Int) -> ListenAddress {
        ListenAddress(host: host, port: port, isIPv6: isIPv6)
    }

    var isLoopback: Bool {
        guard let host else { return false }
        return isIPv6 ? host == "::1" : host.hasPrefix("127.")
    }

    var description: String {
        guard let host else { return "*:\(port)" }
        return isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    private static func parses(_ text: String, family: Int32) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16)
        return inet_pton(family, text, &buffer) == 1
    }
}
