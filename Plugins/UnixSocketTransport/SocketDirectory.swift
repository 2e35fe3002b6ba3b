#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import BridgePluginKit

/// The directory the socket file goes in, checked so that nobody but the bridge's user
/// (and root) can replace the socket, or the lock beside it, under the bridge:
///
/// - it must exist, or is created (one level only: its parent must exist) with mode 0700,
///   or 0750 and the configured group;
/// - it must be a directory owned by root or by the bridge's user;
/// - if it is writable by others, or by a group other than the bridge's own or the
///   configured one, it must have the sticky bit (like /tmp), so that others cannot
///   remove or rename what the bridge puts there.
enum SocketDirectory {
    /// Checks the directory, creating it when missing and `creating` (else only checking
    /// that it could be: a configuration check changes nothing).
    static func prepare(for path: String, group: gid_t?, creating: Bool = true) throws {
        let directory = parent(of: path)
        var info = stat()
        if stat(directory, &info) != 0 {
            guard errno == ENOENT else {
                throw PluginError("cannot use the socket directory \(directory): \(SystemError(errno))")
            }
            guard creating else {
                var parentInfo = stat()
                let above = parent(of: directory)
                guard stat(above, &parentInfo) == 0, parentInfo.st_mode & S_IFMT == S_IFDIR else {
                    throw PluginError("cannot create the socket directory \(directory): \(above) does not exist")
                }
                return
            }
            try create(directory, group: group)
            guard stat(directory, &info) == 0 else {
                throw PluginError("cannot use the socket directory \(directory): \(SystemError(errno))")
            }
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw PluginError("the socket directory \(directory) is not a directory")
        }
        guard info.st_uid == 0 || info.st_uid == geteuid() else {
            throw PluginError("the socket directory \(directory) belongs to uid \(info.st_uid), neither root nor the bridge's user (uid \(geteuid())): that user could replace the socket")
        }
        let trustedGroups: Set<gid_t> = [getegid(), group ?? getegid()]
        let writableByOthers = info.st_mode & S_IWOTH != 0
            || (info.st_mode & S_IWGRP != 0 && !trustedGroups.contains(info.st_gid))
        if writableByOthers && info.st_mode & S_ISVTX == 0 {
            throw PluginError("the socket directory \(directory) is writable by other users and has no sticky bit: they could replace the socket (use a directory such as /run/unicat-bridge, mode 0755 or stricter)")
        }
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    private static func create(_ directory: String, group: gid_t?) throws {
        let mode: mode_t = group == nil ? 0o700 : 0o750
        guard mkdir(directory, mode) == 0 || errno == EEXIST else {
            throw PluginError("cannot create the socket directory \(directory): \(SystemError(errno))")
        }
        // mkdir applies the umask; the bridge's own is 077.
        guard chmod(directory, mode) == 0 else {
            throw PluginError("cannot set the mode of the socket directory \(directory): \(SystemError(errno))")
        }
        if let group, chown(directory, uid_t.max, group) != 0 {
            throw PluginError("cannot give the socket directory \(directory) to group \(group): \(SystemError(errno))")
        }
    }
}
