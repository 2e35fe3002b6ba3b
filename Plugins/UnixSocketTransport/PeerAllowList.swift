/// The peers the Unix-socket transport accepts: a peer passes when its uid is listed, or
/// its primary gid or one of its supplementary gids is.
struct PeerAllowList: Sendable, Equatable {
    let uids: Set<UInt32>
    let gids: Set<UInt32>

    func admits(_ peer: PeerCredentials) -> Bool {
        uids.contains(peer.uid) || gids.contains(peer.gid) || peer.supplementaryGroups.contains(where: gids.contains)
    }
}
