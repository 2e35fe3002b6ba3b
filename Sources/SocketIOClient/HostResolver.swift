#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// Host name resolution off the service thread: this lws build has no async DNS, and a
/// blocking `getaddrinfo` on the service thread would also delay `stop()`.
enum HostResolver {
    static func isIPLiteral(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    static func resolve(_ host: String, completion: @escaping @Sendable (Resolution) -> Void) {
        DispatchQueue.global(qos: .utility).async {
            completion(resolveNow(host))
        }
    }

    /// The host's addresses as numeric strings, in resolver order, without duplicates.
    static func resolveNow(_ host: String) -> Resolution {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &result)
        guard status == 0 else {
            let message = gai_strerror(status).map { String(cString: $0) } ?? "error \(status)"
            return .failed("cannot resolve \(host): \(message)")
        }
        defer { freeaddrinfo(result) }
        var addresses: [String] = []
        var cursor = result
        while let entry = cursor {
            var buffer = [CChar](repeating: 0, count: 64)
            if let address = entry.pointee.ai_addr,
               getnameinfo(address, entry.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if !addresses.contains(text) { addresses.append(text) }
            }
            cursor = entry.pointee.ai_next
        }
        return addresses.isEmpty ? .failed("cannot resolve \(host): no addresses") : .addresses(addresses)
    }
}
