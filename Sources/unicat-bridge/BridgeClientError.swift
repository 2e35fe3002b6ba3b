import BridgeCore

/// Why a command could not get its answer from the bridge, with the exit status it ends
/// the command with (documented in the README).
enum BridgeClientError: Error, CustomStringConvertible {
    /// No socket, or nothing listens on it.
    case notRunning(String)
    /// The socket's permissions or the bridge's peer allow-list keep this user out.
    case accessDenied(String)
    /// Connected, but the connection broke, timed out or carried something unreadable.
    case unreachable(String)
    /// The bridge answered with a JSON-RPC error.
    case bridge(code: Int, message: String, data: JSONValue?)

    /// A JSON-RPC error object from the bridge.
    init(rpcError error: JSONValue) {
        let code = error["code"]?.int64Value.map(Int.init) ?? 0
        self = .bridge(code: code, message: error["message"]?.stringValue ?? "(no message)", data: error["data"])
    }

    /// "Not permitted" from the bridge, whether a refused peer or a call outside the policy.
    static let notPermittedCode = -32001

    var exitStatus: Int32 {
        switch self {
        case .notRunning, .unreachable: ExitStatus.unavailable
        case .accessDenied: ExitStatus.accessDenied
        case .bridge(let code, _, _): code == Self.notPermittedCode ? ExitStatus.accessDenied : ExitStatus.failure
        }
    }

    var description: String {
        switch self {
        case .notRunning(let detail): "the bridge is not running: \(detail)"
        case .accessDenied(let detail): "access denied: \(detail)"
        case .unreachable(let detail): "the bridge is unreachable: \(detail)"
        case .bridge(let code, let message, let data): Self.describe(code: code, message: message, data: data)
        }
    }

    private static func describe(code: Int, message: String, data: JSONValue?) -> String {
        var text = "the bridge answered: \(message) (code \(code))"
        if code == -32005, let data {
            // Unicat's own error, passed through.
            let status = data["http_status"]?.int64Value.map { "HTTP \($0), " } ?? ""
            let unicatCode = data["code"]?.int64Value.map { "code \($0)" } ?? "no code"
            text += "\n  Unicat said: \(status)\(unicatCode): \(data["message"]?.stringValue ?? "")"
            if let info = data["info"], info != .object([:]), !info.isNull { text += "\n  info: \(info.encodedString())" }
        } else if code == notPermittedCode {
            text += "\n  (the transport's policy or allow-list refuses it; see transports.unix in the bridge's configuration)"
        } else if let data, !data.isNull {
            text += "\n  data: \(data.encodedString())"
        }
        return text
    }
}
