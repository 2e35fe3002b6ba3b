/// Builds the `sync.changes` and `sync.reset` notifications.
public enum ChangeNotification {
    /// One item as subscribers see it: the sync item, the position after it, and, when the
    /// subscription asked for objects, `object` (null only when the object is gone) or
    /// `object_error` when it could not be had. Items without an object (jobs,
    /// cc.version) carry neither.
    static func itemJSON(_ entry: JournalEntry, object: ObjectState?) -> JSONValue {
        var members = entry.item.json.objectValue ?? [:]
        members["position"] = entry.position.json
        switch object {
        case .present(let value)?: members["object"] = value
        case .gone?: members["object"] = .null
        case .failed(let message)?: members["object_error"] = .string(message)
        case nil: break
        }
        return .object(members)
    }

    /// A `sync.changes` from items encoded beforehand (shared between subscribers), byte for
    /// byte what the JSON writer makes of the same notification (sorted keys).
    static func changes(subscription: String, encodedItems: [[UInt8]], position: BridgePosition, recovered: Bool = false) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encodedItems.reduce(160) { $0 + $1.count + 1 })
        bytes.append(contentsOf: #"{"jsonrpc":"2.0","method":"sync.changes","params":{"items":["#.utf8)
        for (index, item) in encodedItems.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: item)
        }
        bytes.append(contentsOf: #"],"position":"#.utf8)
        bytes.append(contentsOf: position.json.encodedBytes())
        if recovered { bytes.append(contentsOf: #","recovered":true"#.utf8) }
        bytes.append(contentsOf: #","subscription":"#.utf8)
        bytes.append(contentsOf: JSONValue.string(subscription).encodedBytes())
        bytes.append(contentsOf: "}}".utf8)
        return bytes
    }

    static func reset(subscription: String, reason: String, position: BridgePosition?) -> [UInt8] {
        var params: [String: JSONValue] = ["subscription": .string(subscription), "reason": .string(reason)]
        if let position { params["position"] = position.json }
        return RPCMessage.notification("sync.reset", .object(params)).encodedBytes()
    }
}
