import BridgeCore

/// JSON as the client commands print it: compact for `--json` (one document per line),
/// indented for people; keys sorted either way.
enum JSONText {
    static func compact(_ value: JSONValue) -> String {
        value.encodedString()
    }

    /// Two-space indentation, `"key": value`, empty containers on one line (Foundation's
    /// pretty printer writes `"key" : value` and spreads empty arrays over lines).
    static func pretty(_ value: JSONValue, indent: String = "") -> String {
        let inner = indent + "  "
        switch value {
        case .array(let elements) where !elements.isEmpty:
            return "[\n" + elements.map { inner + pretty($0, indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .object(let members) where !members.isEmpty:
            let lines = members.keys.sorted().map { key in
                inner + compact(.string(key)) + ": " + pretty(members[key] ?? .null, indent: inner)
            }
            return "{\n" + lines.joined(separator: ",\n") + "\n\(indent)}"
        default:
            return compact(value)
        }
    }

    /// A value in a table cell: strings bare, anything else as compact JSON.
    static func cell(_ value: JSONValue) -> String {
        value.stringValue ?? compact(value)
    }
}
