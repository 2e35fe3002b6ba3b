import ArgumentParser

/// `unicat-bridge token`: HMAC-signed tokens for the WebSocket transport, minted with
/// the configured `hmac_secret_file`, and checked.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Mint or check HMAC-signed tokens for the WebSocket transport (transports.websocket.hmac_secret_file).",
        subcommands: [TokenMintCommand.self, TokenVerifyCommand.self],
        defaultSubcommand: TokenMintCommand.self
    )
}
