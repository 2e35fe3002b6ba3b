#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Who is at the other end of a connected Unix socket, as the kernel recorded it when the
/// peer connected (SO_PEERCRED), with its supplementary groups (SO_PEERGROUPS, Linux 4.13+)
/// when the kernel reports them.
struct PeerCredentials: Sendable {
    let pid: pid_t
    let uid: uid_t
    let gid: gid_t
    let supplementaryGroups: [gid_t]

    /// Nil when the kernel does not say (not a Unix socket).
    init?(of descriptor: Int32) {
        var credentials = KernelCredentials()
        var length = socklen_t(MemoryLayout<KernelCredentials>.size)
        guard getsockopt(descriptor, SOL_SOCKET, Self.peerCredentialsOption, &credentials, &length) == 0 else { return nil }
        pid = credentials.pid
        uid = credentials.uid
        gid = credentials.gid
        supplementaryGroups = Self.groups(of: descriptor)
    }

    /// `struct ucred` (glibc declares it only under _GNU_SOURCE, which Swift's Glibc
    /// module does not set).
    private struct KernelCredentials {
        var pid: pid_t = 0
        var uid: uid_t = 0
        var gid: gid_t = 0
    }

    /// SO_PEERCRED and SO_PEERGROUPS from <asm-generic/socket.h>, the same on every Linux
    /// architecture Swift supports.
    private static let peerCredentialsOption: Int32 = 17
    private static let peerGroupsOption: Int32 = 59

    private static func groups(of descriptor: Int32) -> [gid_t] {
        var groups = [gid_t](repeating: 0, count: 64)
        while true {
            var length = socklen_t(groups.count * MemoryLayout<gid_t>.size)
            let result = groups.withUnsafeMutableBytes { getsockopt(descriptor, SOL_SOCKET, peerGroupsOption, $0.baseAddress, &length) }
            if result == 0 { return Array(groups.prefix(Int(length) / MemoryLayout<gid_t>.size)) }
            // ERANGE: length now says how much room the list needs.
            guard errno == ERANGE, Int(length) > groups.count * MemoryLayout<gid_t>.size else { return [] }
            groups = [gid_t](repeating: 0, count: Int(length) / MemoryLayout<gid_t>.size)
        }
    }

    /// For the host's `client_open` (the hub logs it).
    var peerInfoJSON: String {
        #"{"transport":"unix","pid":\#(pid),"uid":\#(uid),"gid":\#(gid)}"#
    }
}
