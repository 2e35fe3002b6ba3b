/// How to fetch objects of one data type from Unicat (§8 of the API digest), with the
/// plural parameter form so one request serves a batch.
public struct ObjectFetchSpec: Sendable {
    public let endpoint: UnicatEndpoint
    /// Plural parameter name (`records`), or nil when only a singular form exists.
    public let pluralParameter: String?
    /// The `data` group the objects come back in.
    public let responseType: String

    public static func spec(for dataType: String) -> ObjectFetchSpec? {
        switch dataType {
        case "records", "assets", "definitions", "classes", "fields", "layouts", "queries", "modules":
            return ObjectFetchSpec(endpoint: .project("\(dataType)/get"), pluralParameter: dataType, responseType: dataType)
        case "cc.users":
            return ObjectFetchSpec(endpoint: .global("users/get"), pluralParameter: "users", responseType: dataType)
        case "cc.projects":
            return ObjectFetchSpec(endpoint: .global("projects/get"), pluralParameter: "projects", responseType: dataType)
        case "cc.projects_members":
            return ObjectFetchSpec(endpoint: .global("members/get"), pluralParameter: nil, responseType: dataType)
        default:
            return nil
        }
    }

    /// The request body for `keys`: the plural form, or the singular form for one key.
    func body(for keys: [String]) -> JSONValue {
        if responseType == "cc.projects_members", let key = keys.first {
            let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
            return ["project": .string(parts.first ?? ""), "member": .string(parts.count > 1 ? parts[1] : "")]
        }
        if let plural = pluralParameter { return [plural: .array(keys.map { .string($0) })] }
        return .object([:])
    }

    /// The fetched objects by key. Memberships come back as a list.
    func objects(in response: UnicatResponse) -> [String: JSONValue] {
        if let list = response.data[responseType]?.arrayValue {
            var objects: [String: JSONValue] = [:]
            for membership in list {
                if let key = BridgeStore.membershipKey(membership) { objects[key] = membership }
            }
            return objects
        }
        return response.objects(responseType)
    }

    var batchLimit: Int { pluralParameter == nil ? 1 : 100 }
}
