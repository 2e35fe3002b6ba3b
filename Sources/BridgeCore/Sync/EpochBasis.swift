/// What an epoch is named after. The name is a pure function of what Unicat says, so
/// bridge instances that never talk to each other, started at different times or from
/// empty state directories, name the same continuity the same way, and a subscriber can
/// move between them (docs/protocol.md, "Positions and epochs").
public struct EpochBasis: Sendable, Hashable {
    /// The cc cursor of the latest finished `restore_project` job of the project that is
    /// known (0 when none is).
    public var restoreCursor: Int64
    /// Unicat's cursors went backwards with no restore to explain it. Nothing Unicat says
    /// tells other instances about it, so this epoch is this instance's own.
    public var rewound: Bool
    /// For an upstream without cursors of its own (Zou), whose positions are this
    /// instance's journal sequence: what makes the epoch this instance's own, e.g. when it
    /// started. Nil for Unicat, whose epochs every instance names alike.
    public var origin: String?

    public init(restoreCursor: Int64, rewound: Bool = false) {
        self.restoreCursor = restoreCursor
        self.rewound = rewound
    }

    /// An epoch no other instance shares: `origin` names it.
    public init(origin: String) {
        restoreCursor = 0
        rewound = false
        self.origin = origin
    }

    /// `<project hash>-r<restore cursor>`, and after an unexplained rewind
    /// `-w<cc cursor>.<cursor>` of the epoch's first position; numbers in base 36. With an
    /// origin, `<project hash>-<origin>`.
    public func epoch(project: String, startingAt first: SyncCursors) -> String {
        if let origin { return "\(Self.projectHash(project))-\(origin)" }
        var name = "\(Self.projectHash(project))-r\(String(restoreCursor, radix: 36))"
        if rewound { name += "-w\(String(first.cc, radix: 36)).\(String(first.project, radix: 36))" }
        return name
    }

    /// FNV-1a (64 bits) of the lowercased gid, folded to 40 bits: stable across processes
    /// and machines, unlike Swift's `Hasher`, which is seeded per process.
    static func projectHash(_ project: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in project.lowercased().utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String((hash ^ (hash >> 40)) & 0xff_ffff_ffff, radix: 36)
    }
}
