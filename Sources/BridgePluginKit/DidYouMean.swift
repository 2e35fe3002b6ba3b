/// Suggestions for a mistyped name: the known name closest to it, when close enough that
/// it is likely what was meant (an edit distance of at most a third of its length, at
/// least 1, at most 3).
public enum DidYouMean {
    public static func closest(to name: String, among known: some Collection<String>) -> String? {
        let limit = min(3, max(1, name.count / 3))
        let scored = known.map { ($0, distance(Array(name.lowercased()), Array($0.lowercased()))) }
        guard let best = scored.min(by: { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }), best.1 <= limit else { return nil }
        return best.0
    }

    /// " (did you mean \"x\"?)" or "".
    public static func hint(for name: String, among known: some Collection<String>) -> String {
        closest(to: name, among: known).map { " (did you mean \"\($0)\"?)" } ?? ""
    }

    /// Levenshtein distance, with a transposition of neighbours counting as one edit.
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previous2[j - 2] + 1)
                }
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}
