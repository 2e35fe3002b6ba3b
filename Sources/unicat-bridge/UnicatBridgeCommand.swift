import ArgumentParser
import BridgeCore
import Foundation

@main
struct UnicatBridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unicat-bridge",
        abstract: "Relays one Unicat project's data and live changes to local and remote subscribers.",
        discussion: """
            Settings come from flags, then the environment (UNICAT_URL, UNICAT_PROJECT, UNICAT_API_KEY or \
            UNICAT_API_KEY_FILE, UNICAT_BRIDGE_STATE_DIR, UNICAT_BRIDGE_LOG_LEVEL), then the --config file (YAML; \
            /etc/unicat-bridge/config.yaml when installed as a service). The client commands (status, init, get, call, \
            tail) find the bridge's Unix socket with --socket, UNICAT_BRIDGE_SOCKET, transports.unix.path of --config, \
            $XDG_RUNTIME_DIR/unicat-bridge/bridge.sock or /run/unicat-bridge/bridge.sock.

            Exit statuses: 0 done; 1 a failure, or the bridge answered with an error; 2 invalid configuration; \
            3 Unicat rejected the API key; 4 the environment (TLS, state directory) or a transport refused to start; \
            64 usage; 69 the bridge is not running or unreachable; 77 access denied.
            """,
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
