import Foundation
import Synchronization
import Locking

/// The one current JWT, shared by the HTTP client and the socket.io feed so they never
/// hold different tokens. Updated from `Authorization` response headers, from the feed's
/// `authorization` events and by re-authentication.
public final class CredentialStore: Sendable {
    private struct State {
        var token: Secret?
        /// Bumped on every change, so a caller can tell whether the token it used is still
        /// the current one (and skip a redundant re-authentication).
        var generation: UInt64 = 0
    }

    private let state = Locked(State())

    public init() {}

    public var token: Secret? { state.withLock { $0.token } }

    public var current: (token: Secret?, generation: UInt64) {
        state.withLock { ($0.token, $0.generation) }
    }

    /// Adopts a token from a header or event: strips an optional `Bearer ` prefix.
    public func adopt(_ raw: String) {
        var text = raw.trimmingCharacters(in: .whitespaces)
        if text.lowercased().hasPrefix("bearer ") { text = String(text.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
        guard !text.isEmpty else { return }
        state.withLock { state in
            guard state.token?.reveal() != text else { return }
            state.token = Secret(text)
            state.generation &+= 1
        }
    }

    public func clear() {
        state.withLock { state in
            state.token = nil
            state.generation &+= 1
        }
    }
}
