"""Tokens at rest: Fernet encryption under the keys of ``TANDEM_ENCRYPTION_KEYS``.

The first key encrypts, every key decrypts (``MultiFernet``): a new key goes first, the stored
tokens are encrypted again under it (``tandem slack rotate-key``), then the old key can go.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class InvalidKeysError(ValueError):
    """No key, or a key that is not a Fernet key (32 url-safe base64-encoded bytes)."""


class UnreadableTokenError(ValueError):
    """A stored token none of the configured keys decrypts (its key was removed too early)."""


class TokenCipher:
    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise InvalidKeysError("no encryption key")
        try:
            self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])
        except (ValueError, TypeError) as error:
            raise InvalidKeysError(str(error)) from None

    @classmethod
    def from_setting(cls, value: str) -> TokenCipher:
        """``key1,key2``: the first encrypts."""
        return cls([key.strip() for key in value.split(",") if key.strip()])

    @staticmethod
    def new_key() -> str:
        return Fernet.generate_key().decode()

    def encrypt(self, token: str) -> str:
        return self._fernet.encrypt(token.encode()).decode()

    def decrypt(self, stored: str) -> str:
        try:
            return self._fernet.decrypt(stored.encode()).decode()
        except InvalidToken:
            raise UnreadableTokenError("no configured key decrypts this token") from None

    def rotate(self, stored: str) -> str:
        """The same token, encrypted under the first key."""
        try:
            return self._fernet.rotate(stored.encode()).decode()
        except InvalidToken:
            raise UnreadableTokenError("no configured key decrypts this token") from None
