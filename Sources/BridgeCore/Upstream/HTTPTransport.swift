import Foundation

public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: Data?
    public var timeout: Double

    public init(method: String, url: String, headers: [(name: String, value: String)] = [], body: Data? = nil, timeout: Double) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lowercased; the last occurrence wins.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// A failure below HTTP: nothing, or no complete answer, came back.
public struct TransportError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable {
        /// The request never left: DNS, connection refused. Safe to retry even for mutations.
        case notSent
        /// TLS handshake or certificate verification failed.
        case tls
        case timeout
        /// The connection broke after the request may have been sent.
        case broken
        case cancelled
    }
    public let kind: Kind
    public let message: String

    public var description: String { message }
}

/// Performs HTTP requests. The seam between the Unicat client and the network.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}
