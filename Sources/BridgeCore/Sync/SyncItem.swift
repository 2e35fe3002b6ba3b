/// One entry of Unicat's sync log: an announcement that an object changed (the new state
/// is fetched separately), or a job's progress (which carries its `data`).
public struct SyncItem: Sendable, Hashable {
    public enum Stream: String, Sendable, Hashable, Codable {
        case cc, project
    }

    public var stream: Stream
    public var cursor: Int64
    public var action: String
    public var dataType: String
    public var dataKey: String
    /// Only for `jobs` items.
    public var data: JSONValue?

    public init(stream: Stream, cursor: Int64, action: String, dataType: String, dataKey: String, data: JSONValue? = nil) {
        self.stream = stream
        self.cursor = cursor
        self.action = action
        self.dataType = dataType
        self.dataKey = dataKey
        self.data = data
    }

    /// Parses an item as Unicat sends it; nil when a required field is missing or mistyped.
    public init?(json: JSONValue) {
        guard let cursor = json["cursor"]?.int64Value, let action = json["action"]?.stringValue,
              let dataType = json["data_type"]?.stringValue
        else { return nil }
        // Only "cc" is known for certain; anything else belongs to the project stream.
        self.stream = json["type"]?.stringValue == "cc" ? .cc : .project
        self.cursor = cursor
        self.action = action.uppercased()
        self.dataType = dataType
        // cc.version uses the version string, jobs the job token; both are strings, but be
        // lenient with numbers.
        switch json["data_key"] {
        case .string(let key)?: self.dataKey = key
        case .int(let key)?: self.dataKey = String(key)
        default: return nil
        }
        let data = json["data"]
        self.data = (dataType == "jobs" && data?.isNull == false) ? data : nil
    }

    public var json: JSONValue {
        var members: [String: JSONValue] = [
            "type": .string(stream.rawValue), "cursor": .int(cursor), "action": .string(action),
            "data_type": .string(dataType), "data_key": .string(dataKey),
        ]
        if let data { members["data"] = data }
        return .object(members)
    }

    /// Parses the item lists Unicat uses: a bare list, `{"sync": [...]}`, or the `result`
    /// of `/sync/get`. Malformed items are returned separately so they can be logged.
    public static func parseList(_ payload: JSONValue) -> (items: [SyncItem], malformed: Int, warning: Bool) {
        let list: [JSONValue]
        var warning = false
        switch payload {
        case .array(let elements):
            list = elements
        case .object(let members):
            list = members["sync"]?.arrayValue ?? []
            warning = members["warning"].map { !$0.isNull } ?? false
        default:
            list = []
        }
        let items = list.compactMap(SyncItem.init(json:))
        return (items, list.count - items.count, warning)
    }
}

extension SyncItem {
    /// A `restore_project` job that finished: the project's data was replaced.
    public func isRestoreDone(project: String) -> Bool { isJob("restore_project", doneFor: project) }

    /// A change to what the project init's `result` reports besides the cursors and the
    /// version: `last_backed_up` (a finished backup, the project entry), `project_members`
    /// and `user_projects` (memberships of the project or of the session's user, users
    /// joining or leaving). `initResult` is the current one, for the user and the members.
    public func changesProjectInit(project: String, initResult: JSONValue) -> Bool {
        let key = dataKey.lowercased()
        let user = initResult["user"]?.stringValue?.lowercased()
        switch dataType {
        case "jobs":
            return isJob("backup_project", doneFor: project)
        case "cc.projects":
            return key == project
        case "cc.projects_members":
            let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
            return parts.first == project || (parts.count == 2 && parts[1] == user)
        case "cc.users":
            // A user's own data is not in the result; only who is there.
            let members = initResult["project_members"]?.arrayValue?.compactMap { $0.stringValue?.lowercased() } ?? []
            return action != "UPDATE" && (key == user || members.contains(key))
        default:
            return false
        }
    }

    private func isJob(_ name: String, doneFor project: String) -> Bool {
        dataType == "jobs" && data?["job"]?.stringValue == name && data?["status"]?.stringValue == "done"
            && (data?["project_gid"]?.stringValue).map { $0.lowercased() == project } ?? true
    }
}
