import Foundation
import Logging
import Synchronization
import Locking

/// The bridge's one session with Zou: logs in with the account's email and password
/// (`POST /auth/login`), keeps the access and refresh tokens, renews the access token with
/// `GET /auth/refresh-token` before it expires and when Zou answers 401, and logs in again
/// when Zou refuses the refresh token. Concurrent callers share one login or renewal.
/// Reads are retried on 5xx, 429 and transport failures with jittered backoff.
///
/// The password and the tokens are `Secret`s: they reach only the request that carries
/// them, never a log line or an error.
public final class ZouSession: Sendable {
    public let baseURL: String
    public let email: String
    private let password: Secret
    private let transport: any HTTPTransport
    private let timeout: Double
    private let retry: RetryPolicy
    private let logger: Logger
    /// Seconds since 1970, against which tokens' expiry is judged.
    private let clock: @Sendable () -> Double
    private let tokens = Locked<ZouTokens?>(nil)
    private let renewals = RequestCoalescer<ZouTokens>()
    private let counters = Locked(UpstreamCounters())

    public init(baseURL: String, email: String, password: Secret, transport: any HTTPTransport, timeout: Double = 60,
                retry: RetryPolicy = RetryPolicy(), logger: Logger,
                clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.clock = clock
        self.baseURL = baseURL
        self.email = email
        self.password = password
        self.transport = transport
        self.timeout = timeout
        self.retry = retry
        self.logger = logger
    }

    public var statistics: UpstreamCounters { counters.withLock { $0 } }

    /// The current access token, renewed first when it is about to expire; logs in when
    /// there is none. For the event stream's handshake as much as for requests.
    public func accessToken() async throws -> Secret {
        if let current = tokens.withLock({ $0 }), current.isFresh(at: clock()) { return current.access }
        return try await renew(replacing: tokens.withLock { $0?.access }).access
    }

    /// A new access token although the held one looks fresh: Zou refused it (clock skew,
    /// revocation).
    public func renewAfterRefusal() async throws {
        _ = try await renew(replacing: heldAccessToken)
    }

    /// The access token held now, without renewing (nil before the first login).
    public var heldAccessToken: Secret? { tokens.withLock { $0?.access } }

    /// Logs in (again), whatever tokens are held.
    @discardableResult
    public func logIn() async throws -> Secret {
        tokens.withLock { $0 = nil }
        return try await renew(replacing: nil).access
    }

    /// `GET path` (with its query), as JSON. Throws `ZouError.notFound` for a 404.
    public func get(_ path: String) async throws -> JSONValue {
        var attempt = 0
        var renewedAfter401 = false
        while true {
            try Task.checkCancellation()
            let token = try await accessToken()
            let response = try await send(HTTPRequest(method: "GET", url: baseURL + path, headers: headers(token),
                                                      timeout: timeout), path: path, attempt: &attempt)
            guard let response else { continue }
            let body = try? JSONValue.parse(response.body)
            switch response.status {
            case 200..<300:
                guard let body else { throw ZouError.invalidAnswer(path: path, message: "not JSON") }
                return body
            case 401:
                // Expired early (clock skew) or revoked: renew once, then give up.
                guard !renewedAfter401 else {
                    throw ZouError.refused(path: path, status: 401, message: ZouError.reason(in: body, status: 401))
                }
                renewedAfter401 = true
                logger.info("Zou answered 401 for \(path) (\(ZouError.reason(in: body, status: 401))); renewing the access token")
                _ = try await renew(replacing: token)
            case 404:
                throw ZouError.notFound(path: path)
            case 429, 500...:
                counters.withLock { $0.failures += 1 }
                let error = ZouError.refused(path: path, status: response.status, message: ZouError.reason(in: body, status: response.status))
                guard attempt + 1 < retry.maxAttempts else { throw error }
                try await backOff(path, attempt: &attempt, reason: "HTTP \(response.status)",
                                  retryAfter: RetryPolicy.retryAfter(response.headers["retry-after"]))
            default:
                throw ZouError.refused(path: path, status: response.status, message: ZouError.reason(in: body, status: response.status))
            }
        }
    }

    // MARK: Tokens

    /// New tokens unless another caller already replaced `stale` with fresh ones: a refresh
    /// when a refresh token is held, a login when there is none or Zou refuses it.
    private func renew(replacing stale: Secret?) async throws -> ZouTokens {
        if let current = tokens.withLock({ $0 }), current.access != stale, current.isFresh(at: clock()) {
            return current
        }
        return try await renewals.run(key: "renew") { [self] in
            if let held = tokens.withLock({ $0 }) {
                if let refreshed = try await refresh(held) {
                    tokens.withLock { $0 = refreshed }
                    return refreshed
                }
            }
            let fresh = try await login()
            tokens.withLock { $0 = fresh }
            return fresh
        }
    }

    /// A new access token for `held`'s refresh token; nil when Zou refuses it (expired,
    /// revoked), which calls for a login.
    private func refresh(_ held: ZouTokens) async throws -> ZouTokens? {
        var attempt = 0
        let path = "/auth/refresh-token"
        while true {
            guard let response = try await send(HTTPRequest(method: "GET", url: baseURL + path, headers: headers(held.refresh),
                                                            timeout: timeout), path: path, attempt: &attempt)
            else { continue }
            let body = try? JSONValue.parse(response.body)
            if (200..<300).contains(response.status), let access = body?["access_token"]?.stringValue, !access.isEmpty {
                counters.withLock { $0.tokenRefreshes += 1 }
                logger.debug("renewed Zou's access token")
                return ZouTokens(access: Secret(access), refresh: held.refresh)
            }
            if response.status >= 500 || response.status == 429, attempt + 1 < retry.maxAttempts {
                try await backOff(path, attempt: &attempt, reason: "HTTP \(response.status)", retryAfter: nil)
                continue
            }
            logger.notice("Zou refused the refresh token (HTTP \(response.status): \(ZouError.reason(in: body, status: response.status))); logging in again")
            return nil
        }
    }

    private func login() async throws -> ZouTokens {
        var attempt = 0
        let path = "/auth/login"
        let body: JSONValue = ["email": .string(email), "password": .string(password.reveal())]
        while true {
            guard let response = try await send(HTTPRequest(method: "POST", url: baseURL + path, headers: headers(nil),
                                                            body: body.encoded(), timeout: timeout), path: path, attempt: &attempt)
            else { continue }
            let answer = try? JSONValue.parse(response.body)
            if (200..<300).contains(response.status) {
                guard let access = answer?["access_token"]?.stringValue, let refresh = answer?["refresh_token"]?.stringValue else {
                    throw ZouError.invalidAnswer(path: path, message: "no access_token and refresh_token")
                }
                counters.withLock { $0.authentications += 1 }
                logger.info("logged in to Zou", metadata: ["email": "\(email)"])
                return ZouTokens(access: Secret(access), refresh: Secret(refresh))
            }
            if response.status >= 500 || response.status == 429, attempt + 1 < retry.maxAttempts {
                try await backOff(path, attempt: &attempt, reason: "HTTP \(response.status)", retryAfter: nil)
                continue
            }
            if (400..<500).contains(response.status) {
                throw UpstreamError.loginRefused(email: email, reason: Self.loginRefusal(answer, status: response.status))
            }
            throw ZouError.refused(path: path, status: response.status, message: ZouError.reason(in: answer, status: response.status))
        }
    }

    /// Zou's reason for refusing a login, in words (its flags are terse).
    static func loginRefusal(_ answer: JSONValue?, status: Int) -> String {
        if answer?["default_password"]?.boolValue == true { return "the account still has Zou's default password" }
        if answer?["too_many_failed_login_attemps"]?.boolValue == true { return "too many failed logins; Zou locks the account for a while" }
        if answer?["missing_OTP"]?.boolValue == true { return "the account requires two-factor authentication, which the bridge cannot do" }
        if answer?["unactive"]?.boolValue == true { return "the account is inactive" }
        return ZouError.reason(in: answer, status: status)
    }

    // MARK: HTTP

    private func headers(_ token: Secret?) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"), ("Accept", "application/json"),
            ("User-Agent", "\(BridgeVersion.serverName)/\(BridgeVersion.current)"),
        ]
        if let token { headers.append(("Authorization", "Bearer \(token.reveal())")) }
        return headers
    }

    /// Sends once. Nil when the request failed below HTTP and may be tried again (after the
    /// backoff, counted in `attempt`); throws when the retries are spent.
    private func send(_ request: HTTPRequest, path: String, attempt: inout Int) async throws -> HTTPResponse? {
        counters.withLock { $0.requests += 1 }
        do {
            return try await transport.send(request)
        } catch let error as TransportError {
            counters.withLock { $0.failures += 1 }
            switch error.kind {
            case .cancelled: throw CancellationError()
            case .tls: throw UpstreamError.untrusted(url: baseURL + path, error)
            default: break
            }
            // Every request here is a read or a login: safe to send again.
            guard attempt + 1 < retry.maxAttempts else { throw ZouError.unreachable(path: path, message: error.message) }
            try await backOff(path, attempt: &attempt, reason: error.message, retryAfter: nil)
            return nil
        }
    }

    private func backOff(_ path: String, attempt: inout Int, reason: String, retryAfter: Double?) async throws {
        let delay = retry.delay(attempt: attempt, retryAfter: retryAfter)
        attempt += 1
        logger.warning("Zou \(path): \(reason); retrying in \(String(format: "%.2f", delay)) s (attempt \(attempt + 1) of \(retry.maxAttempts))")
        try await Task.sleep(for: .seconds(delay))
    }
}
