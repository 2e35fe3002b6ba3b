import ArgumentParser
import Foundation
import WebSocketCredentials

/// `unicat-bridge token [mint]`: prints one token on stdout, nothing else there.
struct TokenMintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mint",
        abstract: "Print a new token for --subject, valid for --ttl (the default: unicat-bridge token --subject NAME)."
    )

    @OptionGroup var secret: TokenSecretOptions

    @Option(name: .long, help: ArgumentHelp(
        "Who holds the token, as the bridge's log names them: 1 to \(HMACToken.maxSubjectLength) letters, digits, '.', '_', '~' or '-'.",
        valueName: "name"))
    var subject: String

    @Option(name: .long, help: ArgumentHelp("How long the token is valid: seconds, or a number with s, m, h or d (e.g. 15m, 12h).",
                                            valueName: "duration"))
    var ttl: TokenLifetime = TokenLifetime(seconds: 300)

    func validate() throws {
        guard (1...HMACToken.maxSubjectLength).contains(subject.utf8.count), subject.utf8.allSatisfy(HMACToken.isSubjectByte) else {
            throw ValidationError("--subject must be 1 to \(HMACToken.maxSubjectLength) letters, digits, '.', '_', '~' or '-', got \"\(subject)\"")
        }
    }

    func run() throws {
        let signer = try secret.signer()
        let expiry = Int64(Date().timeIntervalSince1970) + ttl.seconds
        guard let token = signer.mint(subject: subject, expiry: expiry) else {
            Diagnostics.error("OpenSSL could not compute the signature")
            throw ExitCode(ExitStatus.failure)
        }
        StandardOutput.line(token)
        Diagnostics.write("token for \(subject), valid until \(TokenLifetime.describe(expiry: expiry))\n")
    }
}
