extension BridgeMethods {
    /// `unicat.get`: objects from the mirror, fetched from Unicat (once, shared) when not held.
    func get(_ params: JSONValue) async throws -> JSONValue {
        let params = try RPCParams(params, allowed: ["data_type", "key", "keys"])
        let dataType = try params.requiredString("data_type")
        var keys: [String]
        if let single = try params.string("key") {
            keys = [single]
        } else if let list = try params.strings("keys", maxCount: Self.maxKeysPerGet) {
            keys = list
        } else {
            throw RPCError.invalidParams("\"key\" or \"keys\" is required")
        }
        keys = Array(Set(keys)).sorted()
        guard BridgeStore.initDataTypes.contains(dataType) || ObjectFetcher.canFetch(dataType) else {
            throw RPCError.invalidParams("unknown data_type \"\(dataType)\"")
        }
        _ = try await readyPosition()
        var objects = try session.store.objects(dataType, keys: keys)
        let absent = keys.filter { objects[$0] == nil }
        if !absent.isEmpty, ObjectFetcher.canFetch(dataType) {
            for (key, object) in try await session.fetcher.fetch(dataType, keys: absent) {
                if let object { objects[key] = object }
            }
        }
        return [
            "data_type": .string(dataType),
            "objects": .object(objects),
            "missing": .array(keys.filter { objects[$0] == nil }.map { .string($0) }),
        ]
    }
}
