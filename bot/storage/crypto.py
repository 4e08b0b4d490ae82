"""Encryption at rest of the person's words (AES-GCM)."""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# A format tag in front of each blob, so a later key rotation can tell formats apart.
_FORMAT = b"E1"
_NONCE_BYTES = 12
KEY_FILE_NAME = "equipage.key"


class DecryptionError(Exception):
    """A blob could not be decrypted: wrong key or tampered data."""


class Cipher:
    """Encrypts and decrypts small blobs, bound to their purpose by associated data."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("the data key must be 32 bytes")
        self._aead = AESGCM(key)

    def encrypt(self, plaintext: bytes, purpose: bytes) -> bytes:
        """Return format tag + random nonce + ciphertext."""
        nonce = os.urandom(_NONCE_BYTES)
        return _FORMAT + nonce + self._aead.encrypt(nonce, plaintext, purpose)

    def decrypt(self, blob: bytes, purpose: bytes) -> bytes:
        """Reverse `encrypt`; raise DecryptionError on any mismatch."""
        if not blob.startswith(_FORMAT):
            raise DecryptionError("unknown format")
        nonce = blob[len(_FORMAT) : len(_FORMAT) + _NONCE_BYTES]
        try:
            return self._aead.decrypt(nonce, blob[len(_FORMAT) + _NONCE_BYTES :], purpose)
        except InvalidTag:
            raise DecryptionError("wrong key or tampered data") from None


def load_or_create_key(database: Path, configured: bytes | None) -> bytes:
    """Use the configured key, else the key file beside the database, created 0600 if absent."""
    if configured is not None:
        return configured
    key_path = database.parent / KEY_FILE_NAME
    if key_path.exists():
        return base64.urlsafe_b64decode(key_path.read_text(encoding="ascii").strip())
    key_path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    # O_EXCL: two processes starting together must not both write a key.
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as key_file:
        key_file.write(base64.urlsafe_b64encode(key).decode("ascii") + "\n")
    return key
