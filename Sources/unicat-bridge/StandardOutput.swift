import Foundation

/// Writes to stdout unbuffered, so that each line of `tail` reaches a pipe at once.
enum StandardOutput {
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func line(_ text: String) {
        write(text + "\n")
    }
}
