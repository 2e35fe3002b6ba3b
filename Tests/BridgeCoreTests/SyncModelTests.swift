import Testing
@testable import BridgeCore

@Suite struct SyncModelTests {
    let project = "6d9a6d4e-3c1c-4a55-9c9e-0f5e3f9b7a11"

    @Test func itemListsInEveryShape() throws {
        let item = #"{"type": "project", "cursor": 7, "action": "UPDATE", "data_type": "records", "data_key": "r1"}"#
        let bare = try JSONValue.parse("[\(item)]")
        let wrapped = try JSONValue.parse(#"{"sync": [\#(item), {"cursor": "x"}], "warning": "more sync data available"}"#)
        #expect(SyncItem.parseList(bare).items.count == 1)
        let parsed = SyncItem.parseList(wrapped)
        #expect(parsed.items.first?.stream == .project)
        #expect(parsed.malformed == 1)
        #expect(parsed.warning)
        #expect(SyncItem.parseList(.string("nonsense")).items.isEmpty)
    }

    @Test func onlyJobsKeepTheirData() throws {
        let job = try #require(SyncItem(json: try JSONValue.parse(
            #"{"type": "cc", "cursor": 9, "action": "UPDATE", "data_type": "jobs", "data_key": "t", "data": {"job": "restore_project", "status": "done", "project_gid": "\#(project)"}}"#)))
        #expect(job.stream == .cc)
        #expect(job.isRestoreDone(project: project))
        #expect(!job.isRestoreDone(project: "another"))
        let record = try #require(SyncItem(json: try JSONValue.parse(
            #"{"type": "project", "cursor": 9, "action": "update", "data_type": "records", "data_key": "r", "data": {"x": 1}}"#)))
        #expect(record.data == nil)
        #expect(record.action == "UPDATE")
    }

    @Test func changesToWhatTheInitResultReportsAreRecognised() {
        let user = "u1"
        let initResult: JSONValue = ["user": .string(user), "project_members": [.string(user), "u2"]]
        func changes(_ type: String, _ key: String, action: String = "UPDATE", data: JSONValue? = nil) -> Bool {
            SyncItem(stream: .cc, cursor: 1, action: action, dataType: type, dataKey: key, data: data)
                .changesProjectInit(project: project, initResult: initResult)
        }
        #expect(changes("jobs", "t", data: ["job": "backup_project", "status": "done", "project_gid": .string(project)]))
        #expect(!changes("jobs", "t", data: ["job": "backup_project", "status": "processing", "project_gid": .string(project)]))
        #expect(!changes("jobs", "t", data: ["job": "backup_project", "status": "done", "project_gid": "another"]))
        #expect(changes("cc.projects", project))
        #expect(!changes("cc.projects", "another"))
        #expect(changes("cc.projects_members", "\(project)/u3", action: "INSERT"))
        #expect(changes("cc.projects_members", "another/\(user)", action: "DELETE"), "the user's own projects")
        #expect(!changes("cc.projects_members", "another/u3"))
        #expect(changes("cc.users", "u2", action: "DELETE"))
        #expect(!changes("cc.users", "u2"), "a member's own data is not in the result")
        #expect(!changes("records", "r1"))
    }

    @Test func refetchRulesFollowTheClientTableWithInsertsHandled() {
        func rule(_ type: String, _ action: String, key: String = "k", held: Bool) -> RefetchRule {
            RefetchRule.rule(for: SyncItem(stream: .project, cursor: 1, action: action, dataType: type, dataKey: key), held: held, project: project)
        }
        #expect(rule("records", "INSERT", held: false) == .fetch)
        #expect(rule("records", "UPDATE", held: false) == .ignore)
        #expect(rule("records", "UPDATE", held: true) == .fetch)
        #expect(rule("records", "DELETE", held: false) == .remove)
        #expect(rule("definitions", "INSERT", held: false) == .fetch)
        #expect(rule("cc.users", "INSERT", held: false) == .ignore)
        #expect(rule("cc.projects_members", "INSERT", key: "\(project)/u", held: false) == .fetch)
        #expect(rule("cc.projects_members", "INSERT", key: "other/u", held: false) == .ignore)
        #expect(rule("jobs", "UPDATE", held: false) == .ignore)
        #expect(rule("cc.version", "UPDATE", held: false) == .ignore)
        #expect(rule("cc.languages", "UPDATE", held: true) == .ignore)
    }

    @Test func orderingSortsWithinEachStreamOnly() {
        let items = [
            SyncItem(stream: .project, cursor: 5, action: "UPDATE", dataType: "records", dataKey: "a"),
            SyncItem(stream: .cc, cursor: 20, action: "UPDATE", dataType: "jobs", dataKey: "j"),
            SyncItem(stream: .project, cursor: 4, action: "UPDATE", dataType: "records", dataKey: "b"),
        ]
        let ordered = SyncEngine.ordered(items)
        #expect(ordered.map(\.cursor) == [4, 20, 5])
    }

    @Test func fetchSpecsUsePluralFormsAndMembershipsTheirPair() {
        #expect(ObjectFetchSpec.spec(for: "records")?.body(for: ["a", "b"]) == ["records": ["a", "b"]])
        #expect(ObjectFetchSpec.spec(for: "cc.users")?.endpoint == .global("users/get"))
        #expect(ObjectFetchSpec.spec(for: "cc.projects_members")?.body(for: ["p/u"]) == ["project": "p", "member": "u"])
        #expect(ObjectFetchSpec.spec(for: "cc.languages") == nil)
    }
}
