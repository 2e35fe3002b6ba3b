#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import BridgePluginKit

/// A user or group in the configuration: a number, or a name looked up in the system's
/// account databases (so `allowed_gids: [unicat-bridge]` works, with DynamicUser too).
enum AccountReference: Decodable, Sendable, Equatable {
    case id(UInt32)
    case name(String)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(UInt32.self) {
            self = .id(number)
        } else if let name = try? container.decode(String.self), !name.isEmpty {
            self = UInt32(name).map(AccountReference.id) ?? .name(name)
        } else {
            throw PluginError("expected a numeric id or a name")
        }
    }

    func userID() throws -> uid_t {
        switch self {
        case .id(let id): return id
        case .name(let name):
            let id = Self.lookUp(name) { record, buffer, size in
                var entry = passwd()
                var found: UnsafeMutablePointer<passwd>?
                let status = getpwnam_r(record, &entry, buffer, size, &found)
                return (status, found == nil ? nil : entry.pw_uid)
            }
            guard let id else { throw PluginError("no user named \"\(name)\"") }
            return id
        }
    }

    func groupID() throws -> gid_t {
        switch self {
        case .id(let id): return id
        case .name(let name):
            let id = Self.lookUp(name) { record, buffer, size in
                var entry = group()
                var found: UnsafeMutablePointer<group>?
                let status = getgrnam_r(record, &entry, buffer, size, &found)
                return (status, found == nil ? nil : entry.gr_gid)
            }
            guard let id else { throw PluginError("no group named \"\(name)\"") }
            return id
        }
    }

    /// Runs a reentrant `get*nam_r` lookup, growing its buffer while it reports ERANGE.
    private static func lookUp(
        _ name: String, _ call: (UnsafePointer<CChar>, UnsafeMutablePointer<CChar>, Int) -> (status: Int32, id: UInt32?)
    ) -> UInt32? {
        var size = 1024
        while size <= 1 << 20 {
            var buffer = [CChar](repeating: 0, count: size)
            let (status, id) = name.withCString { record in
                buffer.withUnsafeMutableBufferPointer { storage -> (status: Int32, id: UInt32?) in
                    guard let base = storage.baseAddress else { return (ENOMEM, nil) }
                    return call(record, base, storage.count)
                }
            }
            guard status == ERANGE else { return status == 0 ? id : nil }
            size *= 4
        }
        return nil
    }
}
