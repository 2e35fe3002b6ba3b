/// Who sent a message, and what answering it may cost them: an answer of at most
/// `maxAnswerBytes` (a batch's whole array), and upstream requests taken from the client's
/// `upstream` rate.
public struct RequestSource: Sendable {
    public let client: UInt64
    public let maxAnswerBytes: Int
    public let upstream: UpstreamRate

    public init(client: UInt64, maxAnswerBytes: Int = TransportPolicy.defaultMaxAnswerBytes, upstream: UpstreamRate = UpstreamRate()) {
        self.client = client
        self.maxAnswerBytes = maxAnswerBytes
        self.upstream = upstream
    }
}
