import ArgumentParser
import BridgeCore

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Show the project's init data held by the bridge: a summary, or all of it with --json."
    )

    @OptionGroup var client: ClientOptions

    func run() throws {
        try client.withClient { bridge in
            let initData = try bridge.call("unicat.init", timeout: client.timeout)
            StandardOutput.write(client.json ? JSONText.compact(initData) + "\n" : Self.summary(initData))
        }
    }

    /// The project, the position, and how many objects of each data type the init holds.
    static func summary(_ initData: JSONValue) -> String {
        let style = TerminalStyle.standardOutput
        let result = initData["result"] ?? [:]
        let data = initData["data"]?.objectValue ?? [:]
        let project = result["project"]?.stringValue ?? "?"
        let name = data["cc.projects"]?[project]?["name"]?.stringValue

        var header = TextTable()
        header.add(.init("Project", .bold), .init(name.map { "\($0) (\(project))" } ?? project))
        header.add(.init("Position", .bold), .init(PositionText.format(initData["position"])))
        if let version = result["cc.version"]?.stringValue { header.add(.init("Unicat", .bold), .init("version \(version)")) }

        var counts = TextTable(alignments: [.left, .right])
        counts.add(.init("DATA TYPE", .bold), .init("COUNT", .bold))
        for key in data.keys.sorted() {
            let count = data[key]?.objectValue?.count ?? data[key]?.arrayValue?.count
            counts.add(.init(key), .init(count.map(String.init) ?? "—"))
        }
        return header.render(style) + "\n" + counts.render(style)
    }
}
