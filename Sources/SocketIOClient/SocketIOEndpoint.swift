/// Where the Socket.IO server lives, parsed from the service's base URL plus the
/// socket.io path (Unicat: `https://unicat.app` + `/sync/io`).
public struct SocketIOEndpoint: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var useTLS: Bool
    /// The socket.io path without a trailing slash, e.g. `/sync/io`. A path in the base URL
    /// is kept as a prefix, so a deployment below `https://host/prefix` works too.
    public var path: String

    /// Accepts `http://` and `https://` base URLs with an optional port and path prefix;
    /// throws `SocketIOError` for other schemes, credentials, queries or malformed hosts.
    public init(baseURL: String, path: String = "/socket.io") throws {
        let parts = baseURL.trimmingWhitespace.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw SocketIOError.invalidURL("'\(baseURL)' has no scheme")
        }
        let scheme = parts[0].lowercased()
        switch scheme {
        case "http": useTLS = false
        case "https": useTLS = true
        default: throw SocketIOError.unsupportedScheme(scheme)
        }
        var rest = parts[1]
        guard !rest.contains("?"), !rest.contains("#") else {
            throw SocketIOError.invalidURL("'\(baseURL)' must not have a query or fragment")
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        rest = rest[slash...]
        guard !authority.contains("@") else {
            throw SocketIOError.invalidURL("'\(baseURL)' must not contain credentials")
        }

        var hostPart = Substring(authority)
        var portPart: Substring?
        if hostPart.hasPrefix("[") {
            // IPv6 literal: [addr] or [addr]:port
            guard let close = hostPart.firstIndex(of: "]") else {
                throw SocketIOError.invalidURL("'\(baseURL)' has an unterminated IPv6 address")
            }
            let after = hostPart[hostPart.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw SocketIOError.invalidURL("'\(baseURL)' has a malformed host") }
                portPart = after.dropFirst()
            }
            hostPart = hostPart[hostPart.index(after: hostPart.startIndex)..<close]
        } else if let colon = hostPart.firstIndex(of: ":") {
            portPart = hostPart[hostPart.index(after: colon)...]
            hostPart = hostPart[..<colon]
        }
        guard !hostPart.isEmpty,
              hostPart.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._:".contains($0)) }) else {
            throw SocketIOError.invalidURL("'\(baseURL)' has a missing or malformed host")
        }
        host = String(hostPart)
        if let portPart {
            guard let value = Int(portPart), (1...65535).contains(value) else {
                throw SocketIOError.invalidURL("'\(baseURL)' has an invalid port")
            }
            port = value
        } else {
            port = useTLS ? 443 : 80
        }

        // Join the base URL's path with the socket.io path, with single slashes.
        let segments = (rest.split(separator: "/") + path.split(separator: "/")).map(String.init)
        guard segments.allSatisfy({ seg in seg.allSatisfy { !$0.isWhitespace && $0 != "?" && $0 != "#" } }) else {
            throw SocketIOError.invalidURL("socket.io path '\(path)' is malformed")
        }
        self.path = "/" + segments.joined(separator: "/")
    }

    /// The WebSocket request path: straight to the WebSocket transport, skipping polling.
    var requestPath: String {
        (path == "/" ? "" : path) + "/?EIO=4&transport=websocket"
    }

    /// The Host header value; lws strips any `:port` before SNI and the certificate check.
    var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == (useTLS ? 443 : 80) ? name : "\(name):\(port)"
    }
}

extension String {
    fileprivate var trimmingWhitespace: Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map(index(after:)) ?? endIndex
        return start < end ? self[start..<end] : ""
    }
}
