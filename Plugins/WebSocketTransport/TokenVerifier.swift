#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import BridgePluginKit
import WebSocketCredentials

/// Checks the bearer tokens of handshakes against the configured sources: the static list
/// (`tokens_file`) and HMAC-signed tokens (`hmac_secret_file`), both read with the rest of
/// the configuration. With neither configured, no token is required.
struct TokenVerifier: Sendable {
    private let staticTokens: StaticTokenList?
    private let hmac: HMACToken?

    init(staticTokens: StaticTokenList?, hmac: HMACToken?) {
        self.staticTokens = staticTokens
        self.hmac = hmac
    }

    var isRequired: Bool { staticTokens != nil || hmac != nil }

    /// The token's subject, or nil when it is not valid (unknown, badly signed, expired).
    func subject(of token: String) -> String? {
        let bytes = Array(token.utf8)
        if let subject = staticTokens?.subject(of: bytes) { return subject }
        return hmac?.subject(of: bytes, now: Int64(time(nil)))
    }
}
