/// Failures of the upstream session that are not a plain Unicat error answer.
public enum UpstreamError: Error, CustomStringConvertible, Sendable {
    /// Unicat refused the API key (403 "Unknown user", or 400): retrying cannot help.
    case credentialsRejected(UnicatError)
    /// Zou refused the account's login (wrong email or password, inactive account, two
    /// factors required): retrying cannot help. `reason` is Zou's message, never the secret.
    case loginRefused(email: String, reason: String)
    /// No usable answer after the retries the policy allows.
    case unreachable(endpoint: UnicatEndpoint, url: String, TransportError)
    /// The upstream's TLS certificate did not verify against the configured CAs.
    case untrusted(url: String, TransportError)

    public var description: String {
        switch self {
        case .credentialsRejected(let error):
            return "Unicat rejected the API key (HTTP \(error.httpStatus), \"\(error.message)\"): check the key and that its user is a member of the project"
        case .loginRefused(let email, let reason):
            return "Zou refused the login of \(email): \(reason) (check upstream.email and the password's file or variable)"
        case .unreachable(let endpoint, let url, let error):
            return "cannot reach Unicat for \(endpoint) at \(url): \(error.message)"
        case .untrusted(let url, let error):
            return "TLS verification of \(url) failed: \(error.message) (check upstream.ca_file / UNICAT_CA_FILE)"
        }
    }
}
