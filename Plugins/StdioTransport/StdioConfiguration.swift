import BridgePluginKit

/// The stdio transport's configuration: the `TransportLimits` keys, plus `input_fd` and
/// `output_fd` (default 0 and 1) so that tests and embedders can hand it other descriptors.
struct StdioConfiguration: Decodable, Sendable {
    var limits: TransportLimits
    var inputFD: Int32
    var outputFD: Int32

    init(from decoder: any Decoder) throws {
        var check = ConfigurationCheck()
        limits = check.read(TransportLimits()) { try TransportLimits(from: decoder, allowingExtraKeys: ["input_fd", "output_fd"]) }
        let container = try decoder.container(keyedBy: ConfigurationKey.self)
        inputFD = Int32(check.read(0) { try container.integer("input_fd", default: 0, in: 0...Int(Int32.max)) })
        outputFD = Int32(check.read(1) { try container.integer("output_fd", default: 1, in: 0...Int(Int32.max)) })
        try check.finish()
    }
}
