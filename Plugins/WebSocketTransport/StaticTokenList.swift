import BridgePluginKit
import WebSocketCredentials

/// The `tokens_file`: one bearer token per line (blank lines and `#` comments ignored).
/// A token's subject is its line number, so logs never carry the token itself.
struct StaticTokenList: Sendable {
    /// Shortest token accepted, so that a typo cannot leave a guessable one.
    static let minimumLength = 16

    private let entries: [(token: [UInt8], subject: String)]

    init(path: String) throws {
        let tokens = try SecretFile.lines(path, purpose: "tokens file")
        guard !tokens.isEmpty else { throw PluginError("the tokens file \(path) holds no token") }
        if let short = tokens.firstIndex(where: { $0.utf8.count < Self.minimumLength }) {
            throw PluginError("token \(short + 1) in \(path) is shorter than \(Self.minimumLength) characters")
        }
        entries = tokens.enumerated().map { (Array($1.utf8), "token-\($0 + 1)") }
    }

    /// The subject of `token`, or nil. Every entry is compared, whatever matches.
    func subject(of token: [UInt8]) -> String? {
        var found: String?
        for entry in entries where ConstantTime.equal(entry.token, token) { found = entry.subject }
        return found
    }
}
