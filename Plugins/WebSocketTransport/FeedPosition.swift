#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A bridge position in a feed URL's `since`: either its JSON
/// (`{"epoch":"…","cc_cursor":N,"cursor":N}`, URL-encoded) or the short form
/// `<epoch>:<cc_cursor>:<cursor>`.
struct FeedPosition: Codable, Sendable, Equatable {
    var epoch: String
    var ccCursor: Int64
    var cursor: Int64

    private enum CodingKeys: String, CodingKey {
        case epoch, ccCursor = "cc_cursor", cursor
    }

    init?(parsing text: String) {
        if text.hasPrefix("{") {
            guard let decoded = try? JSONDecoder().decode(FeedPosition.self, from: Data(text.utf8)) else { return nil }
            self = decoded
            return
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 3, let cursor = Int64(parts[parts.count - 1]), let cc = Int64(parts[parts.count - 2]) else {
            return nil
        }
        let epoch = parts[..<(parts.count - 2)].joined(separator: ":")
        guard !epoch.isEmpty else { return nil }
        self.epoch = epoch
        self.ccCursor = cc
        self.cursor = cursor
    }
}
