/// A Zou request that failed. Descriptions name the request and Zou's reason, never a
/// token or the password.
public enum ZouError: Error, CustomStringConvertible, Sendable {
    /// No usable answer after the retries the policy allows.
    case unreachable(path: String, message: String)
    /// Zou answered with an error status.
    case refused(path: String, status: Int, message: String)
    /// Zou says the object does not exist (404).
    case notFound(path: String)
    /// A 2xx answer that is not the JSON the request expects.
    case invalidAnswer(path: String, message: String)

    public var description: String {
        switch self {
        case .unreachable(let path, let message): return "cannot reach Zou for \(path): \(message)"
        case .refused(let path, let status, let message): return "Zou refused \(path) (HTTP \(status)): \(message)"
        case .notFound(let path): return "Zou has no \(path)"
        case .invalidAnswer(let path, let message): return "Zou's answer to \(path) is not usable: \(message)"
        }
    }

    /// Zou's reason in an error body (`message` or flask-jwt-extended's `msg`), bounded.
    static func reason(in body: JSONValue?, status: Int) -> String {
        let text = body?["message"]?.stringValue ?? body?["msg"]?.stringValue ?? "HTTP \(status)"
        return String(text.prefix(200))
    }
}
