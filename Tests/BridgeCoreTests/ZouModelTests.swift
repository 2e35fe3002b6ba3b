import Testing
@testable import BridgeCore

/// Zou's event names as bridge changes: `<model>:<action>` to data type, key and action.
@Suite struct ZouModelTests {
    let project = "6f6c1e6e-0000-4000-8000-000000000001"
    let id = "1ea2a547-1c9c-49fa-9369-f6e0ae0724f7"

    func change(_ name: String, _ payload: JSONValue) -> SyncItem? {
        ZouModel.change(event: name, payload: payload, project: project, cursor: 1)
    }

    @Test(arguments: [
        ("asset:new", "asset_id", "assets", "INSERT"),
        ("asset:casting-update", "asset_id", "assets", "UPDATE"),
        ("task:status-changed", "task_id", "tasks", "UPDATE"),
        ("task:delete", "task_id", "tasks", "DELETE"),
        ("comment:new", "comment_id", "comments", "INSERT"),
        ("shot:update", "shot_id", "shots", "UPDATE"),
        ("task-type:update", "task_type_id", "task_types", "UPDATE"),
        ("task-status:new", "task_status_id", "task_status", "INSERT"),
    ])
    func eventsNameTheirObject(_ name: String, _ field: String, _ dataType: String, _ action: String) throws {
        let item = try #require(change(name, [field: .string(id), "project_id": .string(project)]))
        #expect(item.dataType == dataType)
        #expect(item.dataKey == id)
        #expect(item.action == action)
        #expect(item.data?["event"] == .string(name))
    }

    @Test func sharedObjectsNeedNoProduction() {
        #expect(change("person:update", ["person_id": .string(id)])?.dataType == "persons")
    }

    @Test func otherProductionsModelsAndMalformedPayloadsAreNotChanges() {
        #expect(change("asset:new", ["asset_id": .string(id), "project_id": "99999999-0000-4000-8000-000000000000"]) == nil)
        #expect(change("asset:new", ["asset_id": .string(id)]) == nil)
        #expect(change("project:update", ["project_id": "99999999-0000-4000-8000-000000000000"]) == nil)
        #expect(change("project:update", ["project_id": .string(project)])?.dataKey == project)
        #expect(change("news:new", ["news_id": .string(id), "project_id": .string(project)]) == nil)
        #expect(change("asset", ["asset_id": .string(id), "project_id": .string(project)]) == nil)
        #expect(change("asset:new", ["asset_id": 5, "project_id": .string(project)]) == nil)
    }
}
