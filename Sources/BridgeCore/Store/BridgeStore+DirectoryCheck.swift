import Foundation

extension BridgeStore {
    /// What would stop opening a store in `directory`, found without creating anything (for
    /// `check-config`): nil when it exists and this user can write in it, or when the nearest
    /// existing folder above it is one this user can create it in.
    public static func directoryProblem(_ directory: String) -> String? {
        var path = directory
        var missing = false
        while true {
            var info = stat()
            if stat(path, &info) == 0 {
                guard info.st_mode & S_IFMT == S_IFDIR else {
                    return "\(path) is not a directory"
                }
                guard access(path, W_OK | X_OK) == 0 else {
                    return missing ? "cannot create \(directory): \(path) is not writable by this user"
                        : "\(directory) is not writable by this user"
                }
                break
            }
            guard errno == ENOENT, path != "/" else {
                return "cannot use \(path): \(String(cString: strerror(errno)))"
            }
            missing = true
            path = (path as NSString).deletingLastPathComponent
            if path.isEmpty { path = "." }
        }
        let database = (directory as NSString).appendingPathComponent(fileName)
        if !missing, FileManager.default.fileExists(atPath: database), access(database, R_OK | W_OK) != 0 {
            return "\(database) is not readable and writable by this user"
        }
        return nil
    }
}
