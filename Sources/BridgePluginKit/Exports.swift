// A plugin's threads wait on `Locked` and compute `MonotonicDeadline`s: part of the kit.
@_exported import Locking
