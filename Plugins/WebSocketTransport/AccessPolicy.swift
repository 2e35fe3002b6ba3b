/// Who may connect: the bearer token and the Origin of each WebSocket handshake, and the
/// token for `/metrics`. Refusals carry only a status: nothing that tells an attacker
/// which part was wrong beyond what the status itself says.
struct AccessPolicy: Sendable {
    enum Outcome {
        /// Allowed; the token's subject when a token was required.
        case allowed(subject: String?)
        case refused(HTTPResponse)
    }

    let tokens: TokenVerifier
    let origins: OriginPolicy

    /// The token check alone (401 when missing or invalid).
    func authenticate(_ request: HTTPRequest) -> Outcome {
        guard tokens.isRequired else { return .allowed(subject: nil) }
        guard let token = request.bearerToken, let subject = tokens.subject(of: token) else {
            return .refused(.plain(401, headers: [("www-authenticate", #"Bearer realm="unicat-bridge""#)]))
        }
        return .allowed(subject: subject)
    }

    /// Origin (403), then token (401). `own`: the listener's own origins.
    func admitUpgrade(_ request: HTTPRequest, own: ListenerOrigins) -> Outcome {
        guard origins.permits(origin: request.origin, own: own) else { return .refused(.plain(403)) }
        return authenticate(request)
    }
}
