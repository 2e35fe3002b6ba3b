"""Unicat simulator: the Unicat API over real HTTP and socket.io, for tests."""
