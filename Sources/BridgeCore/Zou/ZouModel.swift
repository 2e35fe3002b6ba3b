/// One kind of Zou object the bridge relays: the model its events name
/// (`<model>:<action>`), the data type subscribers see, and the REST route that serves
/// one object (`<route>/<id>`).
struct ZouModel: Sendable, Hashable {
    let eventModel: String
    let dataType: String
    let route: String
    /// Objects shared by every production (persons, task types, statuses, asset types):
    /// their events carry no production.
    let global: Bool

    /// The payload field holding the object's id: `asset_id`, `task_type_id`, ...
    var idField: String { eventModel.replacingOccurrences(of: "-", with: "_") + "_id" }

    static let all: [ZouModel] = [
        ZouModel(eventModel: "project", dataType: "projects", route: "/data/projects", global: false),
        ZouModel(eventModel: "asset-type", dataType: "asset_types", route: "/data/asset-types", global: true),
        ZouModel(eventModel: "asset", dataType: "assets", route: "/data/assets", global: false),
        ZouModel(eventModel: "episode", dataType: "episodes", route: "/data/episodes", global: false),
        ZouModel(eventModel: "sequence", dataType: "sequences", route: "/data/sequences", global: false),
        ZouModel(eventModel: "shot", dataType: "shots", route: "/data/shots", global: false),
        ZouModel(eventModel: "task", dataType: "tasks", route: "/data/tasks", global: false),
        ZouModel(eventModel: "task-type", dataType: "task_types", route: "/data/task-types", global: true),
        ZouModel(eventModel: "task-status", dataType: "task_status", route: "/data/task-status", global: true),
        ZouModel(eventModel: "person", dataType: "persons", route: "/data/persons", global: true),
        ZouModel(eventModel: "comment", dataType: "comments", route: "/data/comments", global: false),
    ]

    private static let byEventModel = Dictionary(uniqueKeysWithValues: all.map { ($0.eventModel, $0) })
    private static let byDataType = Dictionary(uniqueKeysWithValues: all.map { ($0.dataType, $0) })

    static func model(forDataType dataType: String) -> ZouModel? { byDataType[dataType] }

    /// The change a Zou event announces, or nil for events of other models, of other
    /// productions, or without the object's id. `new` is an INSERT, `delete` a DELETE,
    /// every other action (`update`, `status-changed`, `assign`, ...) an UPDATE; the
    /// event's name and payload travel in the item's `data` (`{"event", "payload"}`), and
    /// for a row of the event log its id and time (`"log": {"id", "created_at"}`).
    static func change(event name: String, payload: JSONValue, project: String, cursor: Int64,
                       logRow: (id: String, createdAt: String)? = nil) -> SyncItem? {
        let parts = name.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let model = byEventModel[parts[0]],
              let key = payload[model.idField]?.stringValue?.lowercased(), !key.isEmpty else { return nil }
        let production = payload["project_id"]?.stringValue?.lowercased()
        if model.eventModel == "project" {
            guard key == project else { return nil }
        } else if !model.global, production != project {
            return nil
        }
        let action: String
        switch parts[1] {
        case "new": action = "INSERT"
        case "delete": action = "DELETE"
        default: action = "UPDATE"
        }
        var data: [String: JSONValue] = ["event": .string(name), "payload": payload]
        if let logRow { data["log"] = ["id": .string(logRow.id), "created_at": .string(logRow.createdAt)] }
        return SyncItem(stream: .project, cursor: cursor, action: action, dataType: model.dataType, dataKey: key,
                        data: .object(data))
    }
}
