#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A web origin as browsers send it in `Origin`: `http(s)://host[:port]`, held by its parts
/// so that equal origins compare equal however they were written (case, a trailing `/`, a
/// default port left out, an IPv6 address spelled another way).
struct WebOrigin: Hashable, Sendable {
    let scheme: String
    /// Lowercase; an IP address in its canonical text, IPv6 in brackets.
    let host: String
    let port: Int

    init(scheme: String, host: String, port: Int) {
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    /// Nil for anything but an `http` or `https` origin with a well-formed host and port
    /// (`null`, paths, credentials, other schemes).
    init?(parsing text: String) {
        var rest = Substring(text.lowercased())
        while rest.hasSuffix("/") { rest.removeLast() }
        guard let separator = rest.firstRange(of: "://") else { return nil }
        let scheme = String(rest[..<separator.lowerBound])
        guard let defaultPort = Self.defaultPorts[scheme] else { return nil }
        rest = rest[separator.upperBound...]
        let hostPart: Substring
        var portPart: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            hostPart = rest[...close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portPart = after.dropFirst()
            }
        } else if let colon = rest.lastIndex(of: ":") {
            hostPart = rest[..<colon]
            portPart = rest[rest.index(after: colon)...]
        } else {
            hostPart = rest
        }
        guard let host = Self.canonicalHost(hostPart) else { return nil }
        var port = defaultPort
        if let portPart {
            guard (1...5).contains(portPart.count), portPart.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let number = Int(portPart), (1...65_535).contains(number) else { return nil }
            port = number
        }
        self.init(scheme: scheme, host: host, port: port)
    }

    static let defaultPorts = ["http": 80, "https": 443]

    /// An IP address in the text browsers use for it in origins (IPv6 in brackets), or nil.
    static func canonicalAddress(_ literal: some StringProtocol, isIPv6: Bool) -> String? {
        var bytes = [UInt8](repeating: 0, count: 16)
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = isIPv6 ? AF_INET6 : AF_INET
        guard inet_pton(family, String(literal), &bytes) == 1,
              let written = inet_ntop(family, bytes, &text, socklen_t(text.count)) else { return nil }
        let canonical = String(cString: written)
        return isIPv6 ? "[\(canonical)]" : canonical
    }

    /// A lowercase host name (letters, digits, `-`, `.`) as it is, an IP address made canonical.
    private static func canonicalHost(_ host: Substring) -> String? {
        if host.hasPrefix("[") {
            guard host.hasSuffix("]"), host.count > 2 else { return nil }
            return canonicalAddress(host.dropFirst().dropLast(), isIPv6: true)
        }
        if let address = canonicalAddress(host, isIPv6: false) { return address }
        let isName = !host.isEmpty && host.utf8.allSatisfy { byte in
            (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }
        return isName ? String(host) : nil
    }
}
