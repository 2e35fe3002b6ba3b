import ArgumentParser
import BridgeCore
import Foundation

struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the configuration (file, environment and flags, and each transport through its plugin) and print what would be used.",
        discussion: "Reports every problem at once, with the file and line where it came from the file, and exits with the status run would: 2 for the settings, 4 for a transport."
    )

    @OptionGroup var settings: SettingsOptions

    @OptionGroup var transportFlags: TransportFlags

    func run() throws {
        let report = ConfigurationReport(settings: settings, transportFlags: transportFlags)
        if let status = report.exitStatus {
            report.printIssues()
            throw ExitCode(status)
        }
        // The key was read to prove its source works; its value is never printed.
        if let configuration = report.configuration { print(ConfigurationSummary(configuration).text) }
        print("configuration OK")
    }
}
