import BridgeCore

/// Writes `tail`'s stream: one line per change, for people or (`--json`) as the bridge
/// sent it, plus the resets a subscriber must act on.
struct ChangePrinter {
    let json: Bool
    let style: TerminalStyle

    func items(_ items: [JSONValue]) {
        guard !items.isEmpty else { return }
        StandardOutput.write(items.map { (json ? JSONText.compact($0) : human($0)) + "\n" }.joined())
    }

    /// `sync.reset`: the subscriber's copy is no longer continuous with the stream.
    func reset(_ params: JSONValue) {
        if json {
            var reset = params.objectValue ?? [:]
            reset["subscription"] = nil
            StandardOutput.line(JSONText.compact(["reset": .object(reset)]))
        } else {
            let reason = params["reason"]?.stringValue ?? "unknown"
            StandardOutput.line(style.paint("-- reset (\(reason)): reload your copy; the stream continues at \(PositionText.format(params["position"]))", .yellow))
        }
    }

    private func human(_ item: JSONValue) -> String {
        let stream = item["type"]?.stringValue == "cc" ? "cc:" : ""
        let cursor = stream + (item["cursor"]?.int64Value.map(String.init) ?? "?")
        let action = item["action"]?.stringValue ?? "?"
        var line = pad(cursor, 9, right: true) + "  " + style.paint(pad(action, 6), colour(of: action)) + "  "
            + pad(item["data_type"]?.stringValue ?? "?", 14) + "  " + (item["data_key"]?.stringValue ?? "?")
        if let object = item["object"] {
            line += "\n" + style.paint("           " + JSONText.compact(object), .dim)
        }
        return line
    }

    private func colour(of action: String) -> TerminalStyle.Colour? {
        switch action {
        case "INSERT": .green
        case "UPDATE": .yellow
        case "DELETE": .red
        default: nil
        }
    }

    private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return right ? padding + text : text + padding
    }
}
