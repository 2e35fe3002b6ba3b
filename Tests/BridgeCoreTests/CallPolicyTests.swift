import BridgeTesting
import Testing
@testable import BridgeCore

/// `unicat.call`'s endpoint policy is decided on the endpoint's one canonical form, and
/// that form is what is sent: no spelling reaches an endpoint the policy refuses.
@Suite struct CallPolicyTests {
    static let otherProject = "0b6a3f1e-5c2d-4e8f-9a71-3d4c5b6a7e80"

    /// A policy as a `transports.<name>` section configures it.
    static func policy(allowlist: [String]) throws -> TransportPolicy {
        try TransportSettings.usable(name: "unix", section: ["call_allowlist": .array(allowlist.map { .string($0) })],
                                     pluginDirectory: "/nowhere").settings.policy
    }

    /// What reached Unicat outside the sync API (which the engine polls by itself).
    static func apiURLs(_ upstream: ScriptedUpstream) -> [String] {
        upstream.urls().filter { !$0.hasPrefix("\(ScriptedUpstream.baseURL)/sync/") }
    }

    func call(_ endpoint: String, in session: ScriptedSession, from client: UInt64) async throws -> JSONValue {
        try await session.answer(["jsonrpc": "2.0", "id": 1, "method": "unicat.call", "params": ["endpoint": .string(endpoint)]],
                                 from: client)
    }

    @Test func spellingsThatEscapeTheDefaultPolicyAreRefusedAndNeverSent() async throws {
        let upstream = ScriptedUpstream()
        let project = upstream.project
        let hostile = [
            "./apikeys/get", "//./apikeys/get", ".//apikeys/get", "//p/\(project)/apikeys/get",
            "//p/\(Self.otherProject)/records/get", "//p/\(Self.otherProject)/init", "//p/\(project)/records/get",
            "records/./get", "records/../apikeys/get", "records//get", "records/get/", "///records/get",
            "records/%2e%2e/apikeys/get", "records%2Fget", "records\\get", "records/get?x=1", "records/get#x",
            "Records/Get", "records/get ", "apikeys/get", "apikeys", "auth", "//auth", "login", "//login", "signup",
        ]
        try await ScriptedSession.run(upstream) { session in
            _ = await session.connect(7)
            let before = Self.apiURLs(upstream)
            for endpoint in hostile {
                let reply = try await call(endpoint, in: session, from: 7)
                #expect(reply["error"]?["code"] == -32001, "\(endpoint): \(reply.encodedString())")
            }
            #expect(Self.apiURLs(upstream) == before, "nothing reached Unicat")
        }
    }

    @Test func aPermittedEndpointIsSentAsItsCanonicalForm() async throws {
        let upstream = ScriptedUpstream()
        try await ScriptedSession.run(upstream) { session in
            _ = await session.connect(7)
            let before = Self.apiURLs(upstream).count
            for spelling in ["records/root", "/records/root"] {
                let reply = try await call(spelling, in: session, from: 7)
                #expect(reply["error"]?["code"] != -32001, "\(spelling): \(reply.encodedString())")
            }
            #expect(Array(Self.apiURLs(upstream).dropFirst(before)) == Array(repeating: "\(ScriptedUpstream.baseURL)/api/p/\(upstream.project)/records/root", count: 2))
        }
    }

    @Test func anotherProjectIsReachedOnlyWhenTheAllowListNamesIt() async throws {
        let upstream = ScriptedUpstream()
        let project = upstream.project
        try await ScriptedSession.run(upstream) { session in
            let everything = try Self.policy(allowlist: ["*"])
            _ = await session.connect(7, policy: everything)
            let before = Self.apiURLs(upstream)
            for endpoint in ["//p/\(Self.otherProject)/records/get", "//p/\(project)/apikeys/get", "apikeys/get", "auth", "./records/get"] {
                let reply = try await call(endpoint, in: session, from: 7)
                #expect(reply["error"]?["code"] == -32001, "\(endpoint) under [\"*\"]: \(reply.encodedString())")
            }
            #expect(Self.apiURLs(upstream) == before)

            _ = await session.connect(8, policy: try Self.policy(allowlist: ["//p/*"]))
            let refused = try await call("//p/\(project)/apikeys/get", in: session, from: 8)
            #expect(refused["error"]?["code"] == -32001, "credentials stay out of reach under //p/*")
            #expect(Self.apiURLs(upstream) == before)
            _ = try await call("//p/\(Self.otherProject)/records/get", in: session, from: 8)
            #expect(Self.apiURLs(upstream).last == "\(ScriptedUpstream.baseURL)/api/p/\(Self.otherProject)/records/get")
        }
    }
}
