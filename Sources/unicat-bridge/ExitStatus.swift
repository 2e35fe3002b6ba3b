/// Exit statuses of `unicat-bridge`, documented in the README.
enum ExitStatus {
    static let failure: Int32 = 1
    /// The configuration is invalid (a flag, variable or file key); the message names it.
    static let configuration: Int32 = 2
    /// Unicat rejected the API key.
    static let credentialsRejected: Int32 = 3
    /// Unicat's TLS certificate did not verify, or the state directory is unusable.
    static let environment: Int32 = 4
}
