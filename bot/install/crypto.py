"""Tokens encrypted at rest with Fernet (the `cryptography` package).

REVIEWWATCH_TOKEN_KEY holds one key, or several separated by commas while rotating: the
first encrypts, every one decrypts (MultiFernet). `python app.py rotate-token-key`
re-encrypts every stored token with the first (docs/install.md#rotating-the-token-key).
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class TokenKeyError(Exception):
    """A stored token cannot be decrypted with any configured key (one line, safe to print)."""


def new_key() -> str:
    """A fresh key for REVIEWWATCH_TOKEN_KEY."""
    return Fernet.generate_key().decode()


class TokenCipher:
    """Encrypts and decrypts tokens with the configured keys; None stays None."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one key")
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])

    def encrypt(self, token: str | None) -> str | None:
        return None if token is None else self._fernet.encrypt(token.encode()).decode()

    def decrypt(self, stored: str | None) -> str | None:
        if stored is None:
            return None
        try:
            return self._fernet.decrypt(stored.encode()).decode()
        except InvalidToken:
            raise TokenKeyError(
                "a stored token does not decrypt with REVIEWWATCH_TOKEN_KEY: set the key it was "
                "saved with (old keys go after the new one, comma-separated)"
            ) from None

    def rotate(self, stored: str | None) -> str | None:
        """`stored` encrypted again with the first key."""
        if stored is None:
            return None
        try:
            return self._fernet.rotate(stored.encode()).decode()
        except InvalidToken:
            raise TokenKeyError(
                "a stored token does not decrypt with any key in REVIEWWATCH_TOKEN_KEY: "
                "put the old key after the new one, comma-separated"
            ) from None
