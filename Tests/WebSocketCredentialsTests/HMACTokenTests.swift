import Foundation
import Testing
import WebSocketCredentials

@Suite struct HMACTokenTests {
    let signer = HMACToken(secret: Array("an HMAC secret of at least thirty-two bytes, for tests".utf8))

    @Test func mintedTokensVerifyUntilTheyExpire() throws {
        let token = try #require(signer.mint(subject: "dashboard-alice", expiry: 2_000))
        #expect(token.hasPrefix("v1.2000.dashboard-alice."))
        #expect(signer.verdict(on: Array(token.utf8), now: 1_999) == .valid(subject: "dashboard-alice", expiry: 2_000))
        #expect(signer.verdict(on: Array(token.utf8), now: 2_000) == .expired(subject: "dashboard-alice", expiry: 2_000))
        #expect(signer.subject(of: Array(token.utf8), now: 2_000) == nil)
    }

    @Test func saysWhyATokenIsRefused() throws {
        let token = try #require(signer.mint(subject: "svc", expiry: 2_000))
        let other = HMACToken(secret: Array("another secret of at least thirty-two bytes........".utf8))
        #expect(other.verdict(on: Array(token.utf8), now: 0) == .badSignature)
        let altered = token.replacingOccurrences(of: "v1.2000.", with: "v1.2001.")
        #expect(signer.verdict(on: Array(altered.utf8), now: 0) == .badSignature)
        guard case .malformed = signer.verdict(on: Array("v2.2000.svc.\(String(repeating: "0", count: 64))".utf8), now: 0) else {
            Issue.record("a v2 token is not malformed")
            return
        }
        guard case .malformed = signer.verdict(on: Array("v1.soon.svc.abc".utf8), now: 0) else {
            Issue.record("a token without a numeric expiry is not malformed")
            return
        }
    }

    @Test func refusesToMintForSubjectsTokensCannotCarry() {
        #expect(signer.mint(subject: "", expiry: 1) == nil)
        #expect(signer.mint(subject: "two words", expiry: 1) == nil)
        #expect(signer.mint(subject: String(repeating: "a", count: HMACToken.maxSubjectLength + 1), expiry: 1) == nil)
    }
}
