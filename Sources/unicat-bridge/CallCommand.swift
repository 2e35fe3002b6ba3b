import ArgumentParser
import BridgeCore

struct CallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call a Unicat API endpoint through the bridge's session (only what the transport's call_allowlist permits; reads by default).",
        discussion: #"Example: unicat-bridge call records/get '{"record": "3d9c7f1e-…"}'"#
    )

    @OptionGroup var client: ClientOptions

    @Argument(help: "The endpoint, e.g. records/get, records/root, //users/get.")
    var endpoint: String

    @Argument(help: "The parameters, a JSON object (default {}).")
    var parameters: String?

    func validate() throws {
        _ = try parsedParameters()
    }

    func run() throws {
        let params = try parsedParameters()
        try client.withClient { bridge in
            let answer = try bridge.call("unicat.call", ["endpoint": .string(endpoint), "params": params], timeout: client.timeout)
            StandardOutput.write(client.json ? JSONText.compact(answer) + "\n" : human(answer))
        }
    }

    private func parsedParameters() throws -> JSONValue {
        guard let parameters else { return [:] }
        guard let value = try? JSONValue.parse(parameters), case .object = value else {
            throw ValidationError(#"the parameters must be a JSON object, e.g. '{"record": "<gid>"}'"#)
        }
        return value
    }

    /// Unicat's `result`, then its `data` when there is any, indented.
    private func human(_ answer: JSONValue) -> String {
        let style = TerminalStyle.standardOutput
        var text = style.paint("result", .bold) + "\n" + JSONText.pretty(answer["result"] ?? .null) + "\n"
        if let data = answer["data"], !data.isNull, data != .object([:]), data != .array([]) {
            text += style.paint("data", .bold) + "\n" + JSONText.pretty(data) + "\n"
        }
        return text
    }
}
