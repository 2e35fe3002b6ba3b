#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import BridgePluginKit

/// Checks the bearer tokens of handshakes against the configured sources: the static list
/// (`tokens_file`) and HMAC-signed tokens (`hmac_secret_file`). With neither configured,
/// no token is required.
struct TokenVerifier: Sendable {
    /// Shortest HMAC secret accepted (bytes).
    static let minimumSecretLength = 32

    private let staticTokens: StaticTokenList?
    private let hmac: HMACToken?

    init(tokensFile: String?, hmacSecretFile: String?) throws {
        staticTokens = try tokensFile.map(StaticTokenList.init(path:))
        hmac = try hmacSecretFile.map { path in
            let secret = Array(Substring(decoding: try SecretFile.read(path, purpose: "HMAC secret file", requirePrivate: true),
                                         as: UTF8.self).trimmingWhitespace.utf8)
            guard secret.count >= Self.minimumSecretLength else {
                throw PluginError("the HMAC secret in \(path) is shorter than \(Self.minimumSecretLength) bytes")
            }
            return HMACToken(secret: secret)
        }
    }

    var isRequired: Bool { staticTokens != nil || hmac != nil }

    /// The token's subject, or nil when it is not valid (unknown, badly signed, expired).
    func subject(of token: String) -> String? {
        let bytes = Array(token.utf8)
        if let subject = staticTokens?.subject(of: bytes) { return subject }
        return hmac?.subject(of: bytes, now: Int64(time(nil)))
    }
}
