#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CBridgePlugin
import Testing

/// ABI 1.2 `validate`: each bundled plugin reports every problem of a section at once, one
/// "KEY\tMESSAGE" line each, without creating anything.
@Suite struct PluginValidateTests {
    /// The plugin's lines for `config`, or nil when it accepts it.
    static func problems(_ library: PluginLibrary, _ config: String) throws -> [String]? {
        let validate = try #require(library.descriptor.pointee.validate, "\(library.name) has no validate")
        #expect(library.descriptor.pointee.abi_minor >= 2)
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        guard validate(config, &buffer, buffer.count) != 0 else { return nil }
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.split(separator: "\n").map(String.init)
    }

    @Test func webSocketReportsEveryProblemWithItsKey() throws {
        let library = try PluginLibrary("libWebSocketTransport.so")
        let lines = try #require(try Self.problems(library, """
            {"listen": ["somewhere:80"], "max_conections": 5, "ping_interval_seconds": 30, "idle_timeout_seconds": 10,
             "tls": {"cert_file": "/nonexistent/cert.pem"}, "tokens_file": "/nonexistent/tokens"}
            """))
        let keys = lines.map { $0.split(separator: "\t").first.map(String.init) ?? "" }
        #expect(Set(keys) == ["listen", "max_conections", "idle_timeout_seconds", "tls", "tls.cert_file", "tokens_file"], "\(lines)")
        #expect(lines.contains(#"max_conections\#tunknown configuration key "max_conections" (did you mean "max_connections"?)"#))
        #expect(try Self.problems(library, #"{"listen": ["127.0.0.1:0"]}"#) == nil)
    }

    @Test func unixSocketChecksItsDirectoryWithoutCreatingIt() throws {
        let library = try PluginLibrary("libUnixSocketTransport.so")
        let directory = "/tmp/plugin-validate-\(getpid())"
        defer { rmdir(directory) }
        #expect(try Self.problems(library, #"{"path": "\#(directory)/bridge.sock"}"#) == nil)
        #expect(access(directory, F_OK) != 0, "validate created the socket directory")
        let lines = try #require(try Self.problems(library, #"{"path": "relative.sock", "mdoe": "0600", "max_connections": 0}"#))
        #expect(lines.count == 3, "\(lines)")
        #expect(lines.contains(#"mdoe\#tunknown configuration key "mdoe" (did you mean "mode"?)"#))
        mkdir(directory, 0o777)
        chmod(directory, 0o777)
        let open = try #require(try Self.problems(library, #"{"path": "\#(directory)/bridge.sock"}"#))
        #expect(open.count == 1 && open[0].hasPrefix("path\t") && open[0].contains("is writable by other users"), "\(open)")
    }

    @Test func stdioReportsEveryProblem() throws {
        let library = try PluginLibrary("libStdioTransport.so")
        let lines = try #require(try Self.problems(library, #"{"input_fd": -1, "max_message_bytes": 0}"#))
        #expect(lines.map { $0.prefix { $0 != "\t" } }.sorted() == ["input_fd", "max_message_bytes"], "\(lines)")
    }
}
