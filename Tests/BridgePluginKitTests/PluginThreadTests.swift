import BridgePluginKit
import Foundation
import Locking
import Testing

@Suite struct PluginThreadTests {
    /// What `top -H` shows for a plugin's thread: its name, cut to the kernel's 15 bytes.
    @Test func itsThreadCarriesItsName() throws {
        let seen = Locked<String?>(nil)
        let thread = try PluginThread(name: "plugin-thread-name") {
            let comm = try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)
            seen.withLock { $0 = comm?.trimmingCharacters(in: .newlines) }
        }
        thread.join()
        #expect(seen.withLock { $0 } == "plugin-thread-n")
    }
}
