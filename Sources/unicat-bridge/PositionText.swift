import BridgeCore

/// Positions as people type them: `EPOCH:CC_CURSOR:CURSOR` (what the human output
/// prints), or the JSON object `{"epoch", "cc_cursor", "cursor"}`.
enum PositionText {
    static func format(_ position: JSONValue?) -> String {
        guard let position, let epoch = position["epoch"]?.stringValue,
              let cc = position["cc_cursor"]?.int64Value, let cursor = position["cursor"]?.int64Value
        else { return "—" }
        return "\(epoch):\(cc):\(cursor)"
    }

    static func parse(_ text: String) -> JSONValue? {
        if text.hasPrefix("{") {
            guard let value = try? JSONValue.parse(text), value["epoch"]?.stringValue != nil,
                  value["cc_cursor"]?.int64Value != nil, value["cursor"]?.int64Value != nil
            else { return nil }
            return value
        }
        // The epoch is everything before the last two fields.
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 3, let cc = Int64(parts[parts.count - 2]), let cursor = Int64(parts[parts.count - 1]) else { return nil }
        let epoch = parts.dropLast(2).joined(separator: ":")
        guard !epoch.isEmpty else { return nil }
        return ["epoch": .string(epoch), "cc_cursor": .int(cc), "cursor": .int(cursor)]
    }
}
