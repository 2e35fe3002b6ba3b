import Foundation

/// Where things live when tests run from a checkout: the repository root, the simulator,
/// and the folder holding the built products (the bridge binary and plugin `.so` files).
public enum RepositoryPaths {
    /// The repository root, found by walking up from this source file.
    public static let root: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url
            }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    public static let simulatorExecutable = root.appendingPathComponent("Tests/UnicatSimulator/unicat-sim")

    /// The build products folder: `BRIDGE_PRODUCTS_DIR` if set, else the folder of the
    /// running test bundle (SwiftPM puts executables and `.so` files beside it).
    public static let products: URL = {
        if let override = ProcessInfo.processInfo.environment["BRIDGE_PRODUCTS_DIR"] {
            return URL(fileURLWithPath: override)
        }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The xctest bundle may be a directory holding the runner.
        while dir.pathExtension == "xctest" || dir.lastPathComponent == "Contents" || dir.lastPathComponent == "MacOS" {
            dir.deleteLastPathComponent()
        }
        return dir
    }()

    public static let bridgeExecutable = products.appendingPathComponent("unicat-bridge")
}
