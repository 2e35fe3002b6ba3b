import ArgumentParser
import BridgeCore

@main
struct UnicatBridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unicat-bridge",
        abstract: "Relays one Unicat project's data and live changes to local and remote subscribers.",
        version: BridgeVersion.current,
        subcommands: [RunCommand.self, CheckConfigCommand.self, StatusCommand.self, InitCommand.self, GetCommand.self,
                      CallCommand.self, TailCommand.self],
        defaultSubcommand: nil
    )
}
