import ArgumentParser
import BridgeCore

struct GetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Show objects by data type and key (from the bridge's mirror, fetched from Unicat when not held).",
        discussion: "Exits 1 when a key is not found or could not be fetched. Example: unicat-bridge get records 3d9c7f1e-…"
    )

    @OptionGroup var client: ClientOptions

    @Argument(help: "The data type, e.g. records, assets, definitions, classes, fields, cc.users.")
    var dataType: String

    @Argument(help: "One or more keys (gids).")
    var keys: [String]

    func validate() throws {
        guard !keys.isEmpty else { throw ValidationError("give at least one key") }
    }

    func run() throws {
        var missing: [String] = []
        var errors: [String: JSONValue] = [:]
        try client.withClient { bridge in
            let answer = try bridge.call("unicat.get", ["data_type": .string(dataType), "keys": .array(keys.map { .string($0) })],
                                         timeout: client.timeout)
            missing = answer["missing"]?.arrayValue?.compactMap(\.stringValue) ?? []
            errors = answer["errors"]?.objectValue ?? [:]
            StandardOutput.write(client.json ? JSONText.compact(answer) + "\n" : human(answer))
        }
        for key in missing { Diagnostics.error("not found: \(dataType) \(key)") }
        for (key, error) in errors.sorted(by: { $0.key < $1.key }) {
            Diagnostics.error("cannot fetch \(dataType) \(key): \(error["message"]?.stringValue ?? error.encodedString())")
        }
        if !missing.isEmpty || !errors.isEmpty { throw ExitCode(ExitStatus.failure) }
    }

    /// Each object found, in the order asked: a heading, then its fields in aligned columns.
    private func human(_ answer: JSONValue) -> String {
        let style = TerminalStyle.standardOutput
        let objects = answer["objects"]?.objectValue ?? [:]
        var seen = Set<String>()
        return keys.filter { seen.insert($0).inserted }.compactMap { key -> String? in
            guard let object = objects[key] else { return nil }
            var table = TextTable()
            for (field, value) in (object.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
                table.add(.init(field, .blue), .init(JSONText.cell(value)))
            }
            let body = object.objectValue == nil ? JSONText.pretty(object) + "\n" : table.render(style)
            return style.paint("\(dataType) \(key)", .bold) + "\n" + body
        }.joined(separator: "\n")
    }
}
