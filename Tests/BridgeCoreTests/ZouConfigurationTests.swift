import BridgeTestSupport
import Foundation
import Testing
@testable import BridgeCore

/// `upstream.kind: zou`: an email and a password source instead of an API key, the password
/// never inline and never in a file others can read, and messages that name Zou's keys.
@Suite struct ZouConfigurationTests {
    let project = "6d9a6d4e-3c1c-4a55-9c9e-0f5e3f9b7a11"

    @Test func aZouSectionResolves() throws {
        let file = try ConfigurationFile.parse("""
            upstream:
              kind: zou
              url: https://kitsu.example/api/
              project: \(project)
              email: bridge@example.com
              password_file: /etc/unicat-bridge/zou-password
            """, name: "zou.yaml")
        let configuration = try ConfigurationResolver.resolve(flags: .init(), environment: .init(), file: file)
        #expect(configuration.upstream.kind == .zou)
        #expect(configuration.upstream.baseURL == "https://kitsu.example/api")
        #expect(configuration.upstream.email == "bridge@example.com")
        #expect(configuration.upstream.secretSource == .file(path: "/etc/unicat-bridge/zou-password"))
        #expect(ZouUpstream.eventsURL(derivedFrom: configuration.upstream.baseURL) == "https://kitsu.example")
        #expect(ConfigurationSummary(configuration).text.contains("upstream.password:   from file /etc/unicat-bridge/zou-password"))
    }

    @Test func anInlinePasswordIsRefusedWithoutEchoingIt() {
        #expect {
            try ConfigurationFile.parse("upstream:\n  kind: zou\n  password: hunter2\n", name: "zou.yaml")
        } throws: { error in
            "\(error)".contains("zou.yaml:3: upstream.password: inline passwords are refused") && !"\(error)".contains("hunter2")
        }
    }

    @Test func theEmailAndAPasswordSourceAreRequiredAndAnUnknownKindNamed() throws {
        let zou = try ConfigurationFile.parse("upstream:\n  kind: zou\n  url: http://127.0.0.1:5000\n  project: \(project)\n",
                                              name: "zou.yaml")
        #expect {
            try ConfigurationResolver.resolve(flags: .init(), environment: .init(), file: zou)
        } throws: { error in
            "\(error)".contains("upstream.email") && "\(error)".contains("upstream.password_file")
        }
        let other = try ConfigurationFile.parse("upstream:\n  kind: shotgrid\n", name: "c.yaml")
        #expect {
            try ConfigurationResolver.resolve(flags: .init(), environment: .init(), file: other)
        } throws: { error in
            "\(error)".contains("upstream.kind: must be one of unicat, zou, got \"shotgrid\"")
        }
    }

    @Test func aPasswordFileOthersCanReadIsRefusedNamingZousKey() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.file("zou-password")
        try "pass word\n".write(to: file, atomically: true, encoding: .utf8)
        chmod(file.path, 0o640)
        #expect {
            try SecretSource.file(path: file.path).load(for: .zou)
        } throws: { error in
            "\(error)".contains("upstream.password_file") && "\(error)".contains("chmod 600") && !"\(error)".contains("pass word")
        }
        chmod(file.path, 0o600)
        // Spaces are the password's own; only the line break goes.
        #expect(try SecretSource.file(path: file.path).load(for: .zou).reveal() == "pass word")
    }

    @Test func theEnvironmentIsEnoughForZouToo() throws {
        let environment = ConfigurationLayer.environment([
            "UNICAT_URL": "http://127.0.0.1:5000", "UNICAT_PROJECT": project, "ZOU_EMAIL": "a@example.com", "ZOU_PASSWORD": "p",
        ])
        var flags = ConfigurationLayer()
        flags.kind = "zou"
        let configuration = try ConfigurationResolver.resolve(flags: flags, environment: environment, file: nil)
        #expect(try configuration.upstream.secretSource.load(for: .zou) == Secret("p"))
    }
}
