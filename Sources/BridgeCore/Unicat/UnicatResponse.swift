/// A successful Unicat answer: call-specific references in `result`, the referenced objects
/// grouped by type in `data`.
public struct UnicatResponse: Sendable {
    public let result: JSONValue
    public let data: JSONValue

    public init(result: JSONValue, data: JSONValue) {
        self.result = result
        self.data = data
    }

    /// `data[type]` as a dictionary keyed by gid (empty when absent).
    public func objects(_ type: String) -> [String: JSONValue] {
        data[type]?.objectValue ?? [:]
    }
}
