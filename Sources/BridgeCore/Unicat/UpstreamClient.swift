import Foundation
import Logging
import Synchronization
import Locking

/// Every HTTP call to Unicat. Holds the one current JWT (in a `CredentialStore` shared with
/// the sync feed), re-authenticates with the API key once on 401, retries reads on
/// 5xx/429/transport failures with jittered backoff, never replays a mutation that may have
/// reached Unicat, and shares one request among identical concurrent reads.
public final class UpstreamClient: Sendable {
    public let baseURL: String
    public let project: String
    public let credentials: CredentialStore
    private let apiKey: Secret
    private let transport: any HTTPTransport
    private let timeout: Double
    private let omitExtendedDefinitions: Bool
    private let retry: RetryPolicy
    private let logger: Logger
    private let reads = RequestCoalescer<UnicatResponse>()
    private let authentications = RequestCoalescer<UnicatResponse>()
    private let counters = Locked(UpstreamCounters())


    public init(baseURL: String, project: String, apiKey: Secret, transport: any HTTPTransport,
                credentials: CredentialStore = CredentialStore(), timeout: Double = 60,
                omitExtendedDefinitions: Bool = false, retry: RetryPolicy = RetryPolicy(), logger: Logger) {
        self.baseURL = baseURL
        self.project = project
        self.apiKey = apiKey
        self.transport = transport
        self.credentials = credentials
        self.timeout = timeout
        self.omitExtendedDefinitions = omitExtendedDefinitions
        self.retry = retry
        self.logger = logger
    }

    public var statistics: UpstreamCounters { counters.withLock { $0 } }

    /// Authenticates with the API key and returns the project init (`/auth` answers with it).
    /// Concurrent callers share one request.
    @discardableResult
    public func authenticate() async throws -> UnicatResponse {
        try await authentications.run(key: "auth") { [self] in
            let body: JSONValue = ["api_key": .string(apiKey.reveal()), "omit_extended_definitions": .bool(omitExtendedDefinitions)]
            do {
                let response = try await perform(.auth, body: body, read: true)
                counters.withLock { $0.authentications += 1 }
                logger.info("authenticated to Unicat", metadata: ["project": "\(project)"])
                return response
            } catch let error as UnicatError where [400, 401, 403].contains(error.httpStatus) {
                throw UpstreamError.credentialsRejected(error)
            }
        }
    }

    /// The current project init: `/init` with the session's JWT. Never shared with an init
    /// already in flight: it is asked for after a change (a restore, a backup), and an init
    /// asked for earlier may answer with the state from before it.
    public func projectInit() async throws -> UnicatResponse {
        try await call(.projectInit, ["omit_extended_definitions": .bool(omitExtendedDefinitions)], coalesced: false)
    }

    /// Calls `endpoint` with a JSON body. Reads are retried and, unless `coalesced` is
    /// false, share an identical read already in flight; mutations are sent at most once
    /// unless the request provably never left.
    public func call(_ endpoint: UnicatEndpoint, _ body: JSONValue = .object([:]), coalesced: Bool = true) async throws -> UnicatResponse {
        guard endpoint.isRead else { return try await perform(endpoint, body: body, read: false) }
        guard coalesced else { return try await perform(endpoint, body: body, read: true) }
        return try await reads.run(key: "\(endpoint)\u{0}\(body.encodedString())") { [self] in
            try await perform(endpoint, body: body, read: true)
        }
    }

    private func perform(_ endpoint: UnicatEndpoint, body: JSONValue, read: Bool) async throws -> UnicatResponse {
        let url = endpoint.url(baseURL: baseURL, project: project)
        var attempt = 0
        var reauthenticated = false
        while true {
            try Task.checkCancellation()
            let (token, generation) = credentials.current
            var headers: [(name: String, value: String)] = [
                ("Content-Type", "application/json"), ("Accept", "application/json"),
                ("User-Agent", "\(BridgeVersion.serverName)/\(BridgeVersion.current)"),
            ]
            if endpoint != .auth {
                guard let token else {
                    try await reauthenticate(replacing: generation)
                    continue
                }
                headers.append(("Authorization", "Bearer \(token.reveal())"))
            }
            counters.withLock { $0.requests += 1 }
            let response: HTTPResponse
            do {
                response = try await transport.send(HTTPRequest(method: "POST", url: url, headers: headers,
                                                                body: body.encoded(), timeout: timeout))
            } catch let error as TransportError {
                counters.withLock { $0.failures += 1 }
                switch error.kind {
                case .cancelled: throw CancellationError()
                case .tls: throw UpstreamError.untrusted(url: url, error)
                default: break
                }
                guard read || error.kind == .notSent, attempt + 1 < retry.maxAttempts else {
                    throw UpstreamError.unreachable(endpoint: endpoint, url: url, error)
                }
                try await backOff(endpoint, attempt: &attempt, reason: error.message, retryAfter: nil)
                continue
            }

            if let fresh = response.headers["authorization"] {
                credentials.adopt(fresh)
            }
            if response.status == 401 || response.headers["www-authenticate"] != nil {
                let error = UnicatError(httpStatus: response.status, body: try? JSONValue.parse(response.body), endpoint: endpoint)
                guard endpoint != .auth, !reauthenticated else { throw error }
                reauthenticated = true
                logger.info("Unicat answered 401 for \(endpoint); re-authenticating")
                try await reauthenticate(replacing: generation)
                continue
            }

            let parsed = try? JSONValue.parse(response.body)
            if response.status >= 500 || response.status == 429 || (parsed == nil && response.status < 400) {
                counters.withLock { $0.failures += 1 }
                let error = parsed.map { UnicatError(httpStatus: response.status, body: $0, endpoint: endpoint) }
                    ?? UnicatError.invalidResponse(httpStatus: response.status, body: response.body, endpoint: endpoint)
                guard read, attempt + 1 < retry.maxAttempts else { throw error }
                try await backOff(endpoint, attempt: &attempt, reason: "HTTP \(response.status)",
                                  retryAfter: RetryPolicy.retryAfter(response.headers["retry-after"]))
                continue
            }
            guard let parsed else {
                throw UnicatError.invalidResponse(httpStatus: response.status, body: response.body, endpoint: endpoint)
            }
            guard response.status < 400, parsed["success"]?.boolValue == true else {
                throw UnicatError(httpStatus: response.status, body: parsed, endpoint: endpoint)
            }
            let data = parsed["data"].flatMap { $0.isNull ? nil : $0 } ?? .object([:])
            return UnicatResponse(result: parsed["result"] ?? .object([:]), data: data)
        }
    }

    /// Re-authenticates unless another caller already replaced the token generation
    /// `generation` that failed.
    private func reauthenticate(replacing generation: UInt64) async throws {
        if credentials.current.generation != generation, credentials.token != nil { return }
        credentials.clear()
        try await authenticate()
    }

    private func backOff(_ endpoint: UnicatEndpoint, attempt: inout Int, reason: String, retryAfter: Double?) async throws {
        let delay = retry.delay(attempt: attempt, retryAfter: retryAfter)
        attempt += 1
        logger.warning("Unicat \(endpoint): \(reason); retrying in \(String(format: "%.2f", delay)) s (attempt \(attempt + 1) of \(retry.maxAttempts))")
        try await Task.sleep(for: .seconds(delay))
    }
}
