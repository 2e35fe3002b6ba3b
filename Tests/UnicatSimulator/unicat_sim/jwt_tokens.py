"""HS256 JWTs: issue, verify, refresh decisions and "expire all now"."""

from __future__ import annotations

import time
from dataclasses import dataclass

import jwt

from .settings import Settings


@dataclass(frozen=True)
class Claims:
    user: str
    project: str | None
    iat: float
    exp: float
    gen: int

    @property
    def lifetime(self) -> float:
        return self.exp - self.iat


class TokenService:
    """`gen` in every token is the revocation generation: "expire all" bumps it, and a
    token from an older generation is refused. That is exact even for tokens issued in
    the same second as the expire call, which an `iat` comparison would not be."""

    def __init__(self, secret: str, settings: Settings, generation: int = 0, on_expire_all=None):
        self._secret = secret
        self._settings = settings
        self.generation = generation
        self._on_expire_all = on_expire_all

    def issue(self, user: str, project: str | None) -> str:
        now = time.time()
        # Float iat/exp: sub-second lifetimes in tests stay exact (NumericDate allows it).
        claims = {"user": user, "project": project, "iat": now,
                  "exp": now + self._settings.jwt_ttl, "gen": self.generation}
        return jwt.encode(claims, self._secret, algorithm="HS256")

    def verify(self, token: str) -> Claims | None:
        try:
            raw = jwt.decode(token, self._secret, algorithms=["HS256"],
                             options={"verify_exp": False, "verify_iat": False,
                                      "require": ["user", "iat", "exp", "gen"]})
        except jwt.PyJWTError:
            return None
        try:
            claims = Claims(user=str(raw["user"]), project=raw.get("project"),
                            iat=float(raw["iat"]), exp=float(raw["exp"]), gen=int(raw["gen"]))
        except (TypeError, ValueError):
            return None
        if claims.exp <= time.time() or claims.gen < self.generation:
            return None
        return claims

    def from_header(self, header: str | None) -> Claims | None:
        if not header or not header.startswith("Bearer "):
            return None
        return self.verify(header[len("Bearer "):].strip())

    def refresh_due(self, claims: Claims) -> bool:
        """Whether a successful call made with this token hands out a new one."""
        policy = self._settings.refresh_policy
        if policy == "always":
            return True
        if policy == "never":
            return False
        return time.time() - claims.iat > claims.lifetime / 2

    def expire_all(self) -> None:
        self.generation += 1
        if self._on_expire_all:
            self._on_expire_all(self.generation)
