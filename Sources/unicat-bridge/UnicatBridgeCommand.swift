import ArgumentParser
import BridgeCore
import Foundation

@main
struct UnicatBridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unicat-bridge",
        abstract: "Relays one Unicat project's data and live changes to local and remote subscribers.",
        version: BridgeVersion.current,
        subcommands: [RunCommand.self, CheckConfigCommand.self, StatusCommand.self, InitCommand.self, GetCommand.self,
                      CallCommand.self, TailCommand.self, TokenCommand.self],
        defaultSubcommand: nil
    )

    /// ArgumentParser's own main, but usage errors start with "unicat-bridge: error:" like
    /// every other error of the command (ArgumentParser writes "Error:").
    static func main() async {
        do {
            var command = try await asyncParseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let status = exitCode(for: error)
            let text = fullMessage(for: error)
            guard status != .success, text.hasPrefix(Self.parserErrorPrefix) else { exit(withError: error) }
            Diagnostics.error(String(text.dropFirst(Self.parserErrorPrefix.count)))
            Foundation.exit(status.rawValue)
        }
    }

    private static let parserErrorPrefix = "Error: "
}
