extension Substring {
    /// The text without leading and trailing whitespace (Foundation-free).
    public var trimmingWhitespace: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
