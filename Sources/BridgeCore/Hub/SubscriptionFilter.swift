import Foundation

/// What a subscription wants. Live fan-out groups subscribers by filter, so each
/// notification is encoded once and the same bytes go to every subscriber of that filter.
public struct SubscriptionFilter: Sendable, Hashable {
    public var types: Set<String>?
    public var keys: Set<String>?
    public var includeObjects: Bool
    public var latestOnly: Bool

    public init(types: Set<String>? = nil, keys: Set<String>? = nil, includeObjects: Bool = false, latestOnly: Bool = false) {
        self.types = types
        self.keys = keys
        self.includeObjects = includeObjects
        self.latestOnly = latestOnly
    }

    public func matches(_ item: SyncItem) -> Bool {
        (types?.contains(item.dataType) ?? true) && (keys?.contains(item.dataKey) ?? true)
    }

    /// A stable id derived from the filter: FNV-1a over its JSON form, in which an absent
    /// list, a list holding "*" and keys containing separators all differ. Equal filters
    /// give equal ids on every instance; the hub resolves the rare collision per client.
    public var subscriptionID: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in json.encoded() {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let digits = String(hash, radix: 16)
        return "sub-" + String(repeating: "0", count: 16 - digits.count) + digits
    }

    public var json: JSONValue {
        var members: [String: JSONValue] = ["include_objects": .bool(includeObjects), "latest_only": .bool(latestOnly)]
        if let types { members["types"] = .array(types.sorted().map { .string($0) }) }
        if let keys { members["keys"] = .array(keys.sorted().map { .string($0) }) }
        return .object(members)
    }
}
