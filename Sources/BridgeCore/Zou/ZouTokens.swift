import Foundation

/// The Zou session's JWTs: the access token every request carries and the refresh token
/// that gets a new one (`GET /auth/refresh-token`), with the access token's lifetime as
/// its claims say (read, not verified: Zou verifies them).
struct ZouTokens: Sendable {
    var access: Secret
    var refresh: Secret
    /// Seconds since 1970 at which Zou stops accepting the access token (nil: unknown).
    var accessExpiry: Double?
    /// How long before expiry the access token is renewed: a fifth of its lifetime, at
    /// most a minute, so a short-lived token is renewed well before it lapses too.
    var renewalMargin: Double

    init(access: Secret, refresh: Secret) {
        self.access = access
        self.refresh = refresh
        let claims = Self.claims(of: access.reveal())
        accessExpiry = claims?["exp"]?.doubleValue
        let lifetime = (accessExpiry ?? 0) - (claims?["iat"]?.doubleValue ?? 0)
        renewalMargin = lifetime > 0 ? min(60, lifetime / 5) : 60
    }

    func isFresh(at now: Double) -> Bool {
        guard let accessExpiry else { return true }
        return now < accessExpiry - renewalMargin
    }

    /// The payload of a JWT (base64url JSON between the two dots).
    static func claims(of token: String) -> JSONValue? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        var base64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { return nil }
        return try? JSONValue.parse(Array(data))
    }
}
