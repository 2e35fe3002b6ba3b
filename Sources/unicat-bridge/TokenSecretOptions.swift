import ArgumentParser
import BridgeCore
import BridgePluginKit
import Foundation
import WebSocketCredentials

/// Where `token` finds the HMAC secret: `--secret-file`, else `hmac_secret_file` of the
/// WebSocket section of `--config` (default: the installed configuration).
struct TokenSecretOptions: ParsableArguments {
    static let installedConfiguration = "/etc/unicat-bridge/config.yaml"

    @Option(name: .long, help: ArgumentHelp(
        "The bridge's configuration file, for transports.websocket.hmac_secret_file (default: \(installedConfiguration)).",
        valueName: "file"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("The HMAC secret file itself (instead of --config).", valueName: "file"))
    var secretFile: String?

    /// The signer, or the configuration problem that stops the command (exit 2).
    func signer() throws -> HMACToken {
        do {
            return try HMACToken(secretFile: try secretPath())
        } catch let error as ConfigurationError {
            Diagnostics.error(error.description)
            throw ExitCode(ExitStatus.configuration)
        } catch let error as PluginError {
            Diagnostics.error(error.description)
            throw ExitCode(ExitStatus.configuration)
        }
    }

    private func secretPath() throws -> String {
        if let secretFile { return secretFile }
        let path = config ?? Self.installedConfiguration
        guard config != nil || FileManager.default.fileExists(atPath: path) else {
            throw ConfigurationError.single(key: "--config", "no \(path): name the bridge's configuration with --config, or the secret with --secret-file")
        }
        let section = try ConfigurationFile.load(path: path).transports?["websocket"]
        guard let secret = section?["hmac_secret_file"]?.stringValue else {
            throw ConfigurationError.single(key: "transports.websocket.hmac_secret_file",
                                            "is not set in \(path): the WebSocket transport accepts no HMAC tokens")
        }
        return secret
    }
}
