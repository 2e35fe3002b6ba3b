/// Exit statuses of `unicat-bridge`, documented in the README.
enum ExitStatus {
    static let failure: Int32 = 1
    /// The configuration is invalid (a flag, variable or file key); the message names it.
    static let configuration: Int32 = 2
    /// Unicat rejected the API key.
    static let credentialsRejected: Int32 = 3
    /// Unicat's TLS certificate did not verify, or the state directory is unusable.
    static let environment: Int32 = 4
    // The client commands (status, init, get, call, tail); ArgumentParser exits 64 on usage errors.
    /// The bridge is not running (no socket, nothing listening), or the connection broke.
    static let unavailable: Int32 = 69
    /// The socket's permissions or the bridge's policy refuse this user or call.
    static let accessDenied: Int32 = 77
}
