import BridgeTestSupport
import BridgeTesting
import Foundation
import Logging
import Testing
@testable import BridgeCore

/// `unicat.get` and `unicat.init` through a whole session on a scripted upstream.
@Suite struct UnicatGetTests {
    func withSession(_ upstream: ScriptedUpstream, _ body: (BridgeMethods, SessionParts) async throws -> Void) async throws {
        try await ScriptedSession.run(upstream) { session in try await body(session.methods, session.parts) }
    }

    @Test func aRefusedKeyIsReportedOnItsOwnBesideTheOthers() async throws {
        let upstream = ScriptedUpstream()
        for key in ["r1", "r2"] { upstream.put("records", key, ScriptedUpstream.record(key, title: key)) }
        upstream.failKey("records", "r2", status: 403, message: "Forbidden")
        try await withSession(upstream) { methods, _ in
            let answer = try await methods.get(["data_type": "records", "keys": ["r1", "r2", "r3"]], from: RequestSource(client: 1),
                                               answerBudget: .max)
            #expect(answer["objects"] == ["r1": ScriptedUpstream.record("r1", title: "r1")])
            #expect(answer["missing"] == ["r3"])
            #expect(answer["errors"]?["r2"]?["code"] == -32005)
            #expect(answer["errors"]?["r2"]?["message"] == "Upstream error: Forbidden")
            #expect(answer["errors"]?["r2"]?["data"]?["http_status"] == 403)
            #expect(answer["errors"]?["r1"] == nil && answer["errors"]?["r3"] == nil)
        }
    }

    @Test func aKeyUnicatSaidIsMissingIsNotAskedAgainUntilACommitNamesIt() async throws {
        let upstream = ScriptedUpstream()
        try await withSession(upstream) { methods, parts in
            let source = RequestSource(client: 1)
            let before = upstream.requests("records/get")
            #expect(try await methods.get(["data_type": "records", "key": "ghost"], from: source, answerBudget: .max)["missing"] == ["ghost"])
            #expect(upstream.requests("records/get") == before + 1)
            #expect(try await methods.get(["data_type": "records", "keys": ["ghost"]], from: source, answerBudget: .max)["missing"] == ["ghost"])
            #expect(upstream.requests("records/get") == before + 1, "remembered: not asked again")
            let created = upstream.insert("records", "ghost", ScriptedUpstream.record("ghost", title: "now here"))
            parts.engine.requestCatchUp()
            try await eventually(timeout: .seconds(20), "the insert to be applied") {
                parts.engine.position?.cursors.project == created.cursor
            }
            let answer = try await methods.get(["data_type": "records", "key": "ghost"], from: source, answerBudget: .max)
            #expect(try JSONValue.parse(answer["objects"]?["ghost"]?.encodedString() ?? "") == ScriptedUpstream.record("ghost", title: "now here"))
            #expect(answer["missing"] == [])
        }
    }

    @Test func theInitResultFollowsABackup() async throws {
        let upstream = ScriptedUpstream()
        upstream.setLastBackedUp(1_700_000_000)
        try await withSession(upstream) { methods, parts in
            #expect(try await methods.initData([:])["result"]?["last_backed_up"]?.doubleValue == 1_700_000_000)
            upstream.setLastBackedUp(1_800_000_000.5)
            let done = upstream.job("backup_project", status: "done")
            parts.engine.requestCatchUp()
            try await eventually(timeout: .seconds(20), "the backup to be applied") {
                parts.engine.position?.cursors.cc == done.cursor
            }
            let result = try await methods.initData([:])["result"]
            #expect(result?["last_backed_up"]?.doubleValue == 1_800_000_000.5)
            #expect(result?["cc.cursor"] == .int(done.cursor))
        }
    }
}
