import ArgumentParser
import Foundation
import WebSocketCredentials

/// `unicat-bridge token verify`: whether the WebSocket transport would accept an HMAC
/// token now, and if not why. Prints the subject and expiry, never the token or secret.
struct TokenVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Say whether an HMAC token is valid now (exit 0) or why not (exit 1). Reads the token from stdin when none is given."
    )

    @OptionGroup var secret: TokenSecretOptions

    @Argument(help: ArgumentHelp("The token; omit it (or give -) to read it from stdin, which keeps it out of the shell's history and ps.",
                                 valueName: "token"))
    var token: String?

    func run() throws {
        let signer = try secret.signer()
        let text = token.flatMap { $0 == "-" ? nil : $0 } ?? Self.readStandardInput()
        let now = Int64(Date().timeIntervalSince1970)
        switch signer.verdict(on: Array(text.utf8), now: now) {
        case .valid(let subject, let expiry):
            StandardOutput.line("valid: subject \(subject), expires \(TokenLifetime.describe(expiry: expiry))")
        case .expired(let subject, let expiry):
            Diagnostics.error("invalid token: expired \(TokenLifetime.describe(expiry: expiry, now: now)) (subject \(subject))")
            throw ExitCode(ExitStatus.failure)
        case .badSignature:
            Diagnostics.error("invalid token: its signature does not match this secret (minted with another secret, or altered)")
            throw ExitCode(ExitStatus.failure)
        case .malformed(let why):
            Diagnostics.error("invalid token: \(why)")
            throw ExitCode(ExitStatus.failure)
        }
    }

    /// The first line of stdin, without surrounding whitespace.
    private static func readStandardInput() -> String {
        let line = readLine(strippingNewline: true) ?? ""
        return Substring(line).trimmingCharacters(in: .whitespaces)
    }
}
