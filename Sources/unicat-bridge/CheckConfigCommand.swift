import ArgumentParser
import BridgeCore
import Foundation

struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the configuration (file, environment and flags) and print what would be used."
    )

    @OptionGroup var settings: SettingsOptions

    func run() throws {
        do {
            let configuration = try settings.resolve()
            // Reading the key proves the source works; its value is never printed.
            _ = try configuration.upstream.secretSource.load(for: configuration.upstream.kind)
            print(ConfigurationSummary(configuration).text)
            print("configuration OK")
        } catch let error as ConfigurationError {
            Diagnostics.error(error.description)
            throw ExitCode(ExitStatus.configuration)
        }
    }
}
