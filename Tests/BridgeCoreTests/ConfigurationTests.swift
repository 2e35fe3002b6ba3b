import BridgeTestSupport
import Foundation
import Testing
@testable import BridgeCore

@Suite struct ConfigurationTests {
    let project = "6d9a6d4e-3c1c-4a55-9c9e-0f5e3f9b7a11"

    @Test func flagsBeatEnvironmentWhichBeatsTheFile() throws {
        let file = try ConfigurationFile.parse("""
            upstream:
              url: https://file.example
              project: \(project)
              api_key_env: FILE_KEY
            state_directory: /from/file
            journal_size: 500
            """, name: "c.yaml")
        var flags = ConfigurationLayer()
        flags.stateDirectory = "/from/flag"
        let environment = ConfigurationLayer.environment(["UNICAT_URL": "https://env.example", "UNICAT_BRIDGE_STATE_DIR": "/from/env"])
        let configuration = try ConfigurationResolver.resolve(flags: flags, environment: environment, file: file)
        #expect(configuration.upstream.baseURL == "https://env.example")
        #expect(configuration.stateDirectory == "/from/flag")
        #expect(configuration.journalSize == 500)
        #expect(configuration.upstream.secretSource == .environment(variable: "FILE_KEY"))
    }

    @Test func environmentAloneIsEnough() throws {
        let environment = ConfigurationLayer.environment([
            "UNICAT_URL": "http://127.0.0.1:9/", "UNICAT_PROJECT": project.uppercased(), "UNICAT_API_KEY": "k",
        ])
        let configuration = try ConfigurationResolver.resolve(flags: .init(), environment: environment, file: nil)
        #expect(configuration.upstream.baseURL == "http://127.0.0.1:9")
        #expect(configuration.upstream.project == project)
        #expect(try configuration.upstream.secretSource.load() == Secret("k"))
    }

    @Test func everyProblemNamesItsKeyAndLine() {
        let text = """
            upstream:
              url: ftp://x
              project: not-a-gid
              api_key: inline-secret
              colour: blue
            journal_size: lots
            """
        #expect {
            try ConfigurationFile.parse(text, name: "c.yaml")
        } throws: { error in
            let description = "\(error)"
            return description.contains("c.yaml:4: upstream.api_key: inline API keys are refused")
                && description.contains("c.yaml:5: upstream.colour: unknown key")
                && description.contains("c.yaml:6: journal_size: must be a whole number")
                && !description.contains("inline-secret")
        }
        let file = try? ConfigurationFile.parse("upstream:\n  url: ftp://x\n  project: nope\n", name: "c.yaml")
        #expect {
            try ConfigurationResolver.resolve(flags: .init(), environment: .init(), file: file)
        } throws: { error in
            let description = "\(error)"
            return description.contains("upstream.url: must be an http:// or https:// URL")
                && description.contains("upstream.project: must be a project gid")
                && description.contains("upstream.api_key_env: no API key source")
        }
    }

    /// Found by fuzzing (`&upstream:` is an anchor on an empty key): the message named no key.
    @Test func anEmptyKeyIsNamedToo() {
        #expect {
            try ConfigurationFile.parse("&upstream:\n  url: x\n", name: "c.yaml")
        } throws: { error in
            "\(error)".contains(#"c.yaml:1: "": unknown key"#)
        }
    }

    /// Every key a section reads is suggested for a typo of it: Zou's keys too.
    @Test func aTypoOfAnyKnownKeyGetsItsSuggestion() {
        let typos = ["knid": "kind", "emial": "email", "events_ur": "events_url", "password_fiel": "password_file",
                     "api_key_fiel": "api_key_file", "timeout_secnds": "timeout_seconds"]
        for (typo, key) in typos {
            let issues = ConfigurationFile.read("upstream:\n  \(typo): x\n", name: "c.yaml").issues
            #expect(issues.map(\.message) == [#"unknown key (did you mean "\#(key)"?)"#], "\(typo)")
        }
        let sync = ConfigurationFile.read("sync:\n  socket_fed: true\n", name: "c.yaml").issues
        #expect(sync.map(\.message) == [#"unknown key (did you mean "socket_feed"?)"#])
    }

    @Test func invalidYAMLIsReported() {
        #expect(throws: ConfigurationError.self) { try ConfigurationFile.parse("upstream: [unclosed", name: "c.yaml") }
    }

    @Test func keyFileReadableByOthersIsRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let keyFile = directory.file("key")
        try "secret-key\n".write(to: keyFile, atomically: true, encoding: .utf8)
        chmod(keyFile.path, 0o644)
        #expect {
            try SecretSource.file(path: keyFile.path).load()
        } throws: { error in
            "\(error)".contains("chmod 600") && !"\(error)".contains("secret-key")
        }
        chmod(keyFile.path, 0o600)
        #expect(try SecretSource.file(path: keyFile.path).load().reveal() == "secret-key")
    }

    @Test func transportsSectionsBecomeJSON() throws {
        let layer = try ConfigurationFile.parse("""
            transports:
              websocket:
                listen: ["127.0.0.1:8080"]
                max_message_bytes: 65536
                tls: false
            """, name: "c.yaml")
        let websocket = layer.transports?["websocket"]
        #expect(websocket?["max_message_bytes"] == .int(65536))
        #expect(websocket?["tls"] == .bool(false))
        #expect(websocket?["listen"] == .array(["127.0.0.1:8080"]))
    }

    @Test func secretsAreRedactedInDescriptions() {
        let secret = Secret("top-secret")
        #expect("\(secret)" == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
        #expect("\(SecretSource.value(secret))".contains("top-secret") == false)
    }
}
