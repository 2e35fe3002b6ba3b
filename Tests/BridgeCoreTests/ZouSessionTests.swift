import BridgePluginKit
import BridgeTesting
import Foundation
import Logging
import Testing
@testable import BridgeCore

/// The Zou session's tokens: renewed before they expire and on 401, a new login when the
/// refresh token is refused, and a refused login that names its cause, never the password.
@Suite struct ZouSessionTests {
    let zou = ScriptedZou()

    /// Seconds the session's clock is ahead of the real one (Zou's stays real).
    let ahead = Locked<Double>(0)

    func session(password: String = ScriptedZou.password) -> ZouSession {
        zou.session(password: password, retry: RetryPolicy(maxAttempts: 2, baseDelay: 0.01, maxDelay: 0.02),
                    clock: { [ahead] in Date().timeIntervalSince1970 + ahead.withLock { $0 } })
    }

    @Test func anAccessTokenAboutToExpireIsRenewedBeforeItIsUsed() async throws {
        zou.setAccessLifetime(100)
        let session = session()
        _ = try await session.get("/data/persons")
        #expect(zou.refreshes == 0)
        // Within a fifth of its lifetime of expiry, the token counts as expiring: renewed
        // first, so Zou never sees it refused.
        ahead.withLock { $0 = 85 }
        _ = try await session.get("/data/persons")
        #expect(zou.refreshes == 1)
        #expect(zou.refusals == 0)
        #expect(zou.logins == 1)
    }

    @Test func a401RenewsTheAccessTokenAndTriesAgainOnce() async throws {
        let session = session()
        _ = try await session.get("/data/persons")
        zou.revokeAccessTokens()
        _ = try await session.get("/data/persons")
        #expect(zou.refusals == 1)
        #expect(zou.refreshes == 1)
        #expect(zou.logins == 1)
    }

    @Test func aRefusedRefreshTokenLeadsToANewLogin() async throws {
        let session = session()
        _ = try await session.get("/data/persons")
        zou.revokeAccessTokens()
        zou.revokeRefreshTokens()
        _ = try await session.get("/data/persons")
        #expect(zou.logins == 2)
        #expect(session.statistics.authentications == 2)
    }

    @Test func aWrongPasswordIsRefusedNamingTheCauseButNotThePassword() async throws {
        let session = session(password: "hunter2-wrong")
        let error = await #expect(throws: UpstreamError.self) { try await session.logIn() }
        let text = "\(error.map { "\($0)" } ?? "")"
        #expect(text.contains("Zou refused the login of admin@example.com: Wrong email or password."))
        #expect(!text.contains("hunter2"))
    }

    @Test func concurrentRequestsShareOneLogin() async throws {
        let session = session()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 { group.addTask { _ = try await session.get("/data/persons") } }
            try await group.waitForAll()
        }
        #expect(zou.logins == 1)
    }
}
