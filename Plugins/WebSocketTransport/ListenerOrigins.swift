#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The origins of the bridge's own pages (the dashboard): its listen addresses as a browser
/// names them when it loaded the page from there — each address itself, and `localhost`
/// when it is a loopback one. Never the request's `Host` header: that is the client's to
/// choose, and a DNS-rebinding page names its own host there.
struct ListenerOrigins: Sendable {
    private let origins: Set<WebOrigin>

    /// `interfaceAddresses`: this machine's addresses (canonical text, IPv6 in brackets),
    /// which a listener on every interface (`*`) answers on.
    init(listening addresses: [ListenAddress], isTLS: Bool, interfaceAddresses: @autoclosure () -> [String]) {
        let scheme = isTLS ? "https" : "http"
        var origins = Set<WebOrigin>()
        for address in addresses {
            var hosts: [String]
            if let host = address.host {
                hosts = WebOrigin.canonicalAddress(host, isIPv6: address.isIPv6).map { [$0] } ?? []
                if address.isLoopback { hosts.append("localhost") }
            } else {
                hosts = interfaceAddresses() + ["localhost"]
            }
            for host in hosts { origins.insert(WebOrigin(scheme: scheme, host: host, port: address.port)) }
        }
        self.origins = origins
    }

    func contains(_ origin: WebOrigin) -> Bool {
        origins.contains(origin)
    }

    /// The addresses of this machine's interfaces now, in origin form.
    static func interfaceAddresses() -> [String] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return [] }
        defer { freeifaddrs(list) }
        var addresses: [String] = []
        var entry = list
        while let current = entry {
            defer { entry = current.pointee.ifa_next }
            guard let socketAddress = current.pointee.ifa_addr else { continue }
            let family = Int32(socketAddress.pointee.sa_family)
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            let written: UnsafePointer<CChar>?
            switch family {
            case AF_INET:
                written = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    withUnsafePointer(to: address.pointee.sin_addr) { inet_ntop(AF_INET, $0, &text, socklen_t(text.count)) }
                }
            case AF_INET6:
                written = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    withUnsafePointer(to: address.pointee.sin6_addr) { inet_ntop(AF_INET6, $0, &text, socklen_t(text.count)) }
                }
            default:
                written = nil
            }
            guard let written else { continue }
            let address = String(cString: written)
            addresses.append(family == AF_INET6 ? "[\(address)]" : address)
        }
        return addresses
    }
}
