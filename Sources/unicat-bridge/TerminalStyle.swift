#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation

/// Colour for human output: only when the stream is a terminal and NO_COLOR is unset or
/// empty (https://no-color.org).
struct TerminalStyle: Sendable {
    enum Colour: String, Sendable {
        case red = "31", green = "32", yellow = "33", blue = "34", dim = "2", bold = "1"
    }

    let colourful: Bool

    static func forDescriptor(_ descriptor: Int32) -> TerminalStyle {
        let noColour = ProcessInfo.processInfo.environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        return TerminalStyle(colourful: isatty(descriptor) == 1 && !noColour)
    }

    static var standardOutput: TerminalStyle { forDescriptor(1) }

    func paint(_ text: String, _ colour: Colour?) -> String {
        guard colourful, let colour else { return text }
        return "\u{1B}[\(colour.rawValue)m\(text)\u{1B}[0m"
    }
}
