/// Builds the `sync.changes` and `sync.reset` notifications.
public enum ChangeNotification {
    /// One item as subscribers see it: the sync item, the position after it, and the object
    /// when asked for (null when the object is gone).
    static func itemJSON(_ entry: JournalEntry, object: JSONValue??) -> JSONValue {
        var members = entry.item.json.objectValue ?? [:]
        members["position"] = entry.position.json
        if let object { members["object"] = object ?? .null }
        return .object(members)
    }

    static func changes(subscription: String, items: [JSONValue], position: BridgePosition, recovered: Bool = false) -> [UInt8] {
        var params: [String: JSONValue] = [
            "subscription": .string(subscription), "items": .array(items), "position": position.json,
        ]
        if recovered { params["recovered"] = true }
        return Array(RPCMessage.notification("sync.changes", .object(params)).encoded())
    }

    static func reset(subscription: String, reason: String, position: BridgePosition?) -> [UInt8] {
        var params: [String: JSONValue] = ["subscription": .string(subscription), "reason": .string(reason)]
        if let position { params["position"] = position.json }
        return Array(RPCMessage.notification("sync.reset", .object(params)).encoded())
    }
}
