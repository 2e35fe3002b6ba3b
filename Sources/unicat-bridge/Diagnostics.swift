import Foundation

/// Messages for the person at the terminal, on stderr (stdout may carry protocol).
enum Diagnostics {
    static func error(_ message: String) {
        write("unicat-bridge: error: \(message)\n")
    }

    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
