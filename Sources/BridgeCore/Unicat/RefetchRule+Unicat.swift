/// Unicat's rules (§8 of the API digest, with the official client's gaps closed: record
/// and asset INSERTs are fetched, not ignored).
extension RefetchRule {
    public static func rule(for item: SyncItem, held: Bool, project: String) -> RefetchRule {
        switch item.dataType {
        case "jobs", "cc.version":
            return .ignore
        default:
            break
        }
        if item.action == "DELETE" { return .remove }
        guard ObjectFetchSpec.spec(for: item.dataType) != nil else { return .ignore }
        switch item.action {
        case "INSERT":
            switch item.dataType {
            case "cc.users", "cc.projects": return held ? .fetch : .ignore
            case "cc.projects_members": return item.dataKey.lowercased().hasPrefix(project + "/") ? .fetch : .ignore
            default: return .fetch
            }
        case "UPDATE":
            return held ? .fetch : .ignore
        default:
            return .ignore
        }
    }
}
