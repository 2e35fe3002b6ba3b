/// Rows of cells printed in aligned columns (widths from the plain text, so colour codes
/// do not disturb the alignment).
struct TextTable {
    struct Cell {
        let text: String
        let colour: TerminalStyle.Colour?

        init(_ text: String, _ colour: TerminalStyle.Colour? = nil) {
            self.text = text
            self.colour = colour
        }
    }

    enum Alignment { case left, right }

    private(set) var rows: [[Cell]] = []
    let alignments: [Alignment]

    init(alignments: [Alignment] = []) {
        self.alignments = alignments
    }

    mutating func add(_ cells: Cell...) {
        rows.append(cells)
    }

    func render(_ style: TerminalStyle, gap: Int = 2) -> String {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { column in
            rows.map { column < $0.count ? $0[column].text.count : 0 }.max() ?? 0
        }
        return rows.map { row in
            row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.text.count)
                let painted = style.paint(cell.text, cell.colour)
                let last = column == row.count - 1
                switch column < alignments.count ? alignments[column] : .left {
                case .right: return padding + painted
                case .left: return last ? painted : painted + padding
                }
            }.joined(separator: String(repeating: " ", count: gap))
        }.joined(separator: "\n") + (rows.isEmpty ? "" : "\n")
    }
}
