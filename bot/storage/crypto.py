"""Encryption at rest of the person's words (AES-GCM), with a key ring for rotation."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from collections.abc import Callable, Sequence
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bot.paths import fsync_folder, private_folder

# Format tags in front of each blob. E2 names its key, so old keys can stay readable during a
# rotation; E1 (no key name) is still read, by trying each key.
_FORMAT_1 = b"E1"
_FORMAT_2 = b"E2"
_NONCE_BYTES = 12
_KEY_ID_BYTES = 4
KEY_FILE_NAME = "equipage.key"
CONSENT_SECRET_FILE_NAME = "equipage.consent-secret"


class DecryptionError(Exception):
    """A blob could not be decrypted: wrong key or tampered data."""


class MissingKeyError(Exception):
    """The key file is gone while encrypted data remains: a new key would read none of it."""


def key_id(key: bytes) -> bytes:
    """A short, non-secret name for a key."""
    return hashlib.sha256(b"equipage key id" + key).digest()[:_KEY_ID_BYTES]


class Cipher:
    """Encrypts with the first key; decrypts with whichever key a blob names."""

    def __init__(self, keys: bytes | Sequence[bytes]) -> None:
        ring = [keys] if isinstance(keys, bytes) else list(keys)
        if not ring or any(len(key) != 32 for key in ring):
            raise ValueError("data keys must be 32 bytes")
        self._primary = AESGCM(ring[0])
        self._primary_id = key_id(ring[0])
        self._by_id = {key_id(key): AESGCM(key) for key in ring}

    def encrypt(self, plaintext: bytes, purpose: bytes) -> bytes:
        """Return format tag + key id + random nonce + ciphertext."""
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._primary.encrypt(nonce, plaintext, purpose)
        return _FORMAT_2 + self._primary_id + nonce + sealed

    def decrypt(self, blob: bytes, purpose: bytes) -> bytes:
        """Reverse `encrypt`; raise DecryptionError on any mismatch."""
        if blob.startswith(_FORMAT_2):
            aead = self._by_id.get(blob[2 : 2 + _KEY_ID_BYTES])
            rest = blob[2 + _KEY_ID_BYTES :]
            candidates = [aead] if aead is not None else []
        elif blob.startswith(_FORMAT_1):
            rest = blob[2:]
            candidates = list(self._by_id.values())
        else:
            raise DecryptionError("unknown format")
        nonce, sealed = rest[:_NONCE_BYTES], rest[_NONCE_BYTES:]
        for candidate in candidates:
            try:
                return candidate.decrypt(nonce, sealed, purpose)
            except InvalidTag:
                continue
        raise DecryptionError("wrong key or tampered data")

    def is_current(self, blob: bytes) -> bool:
        """Whether a blob is already encrypted with the primary key."""
        return blob.startswith(_FORMAT_2 + self._primary_id)


def encode_key(key: bytes) -> str:
    """A key as written in the key file or EQUIPAGE_DATA_KEY."""
    return base64.urlsafe_b64encode(key).decode("ascii")


def new_key() -> bytes:
    """A fresh random 256-bit key."""
    return secrets.token_bytes(32)


def key_path(database: Path) -> Path:
    """Where the key file lives: beside the database."""
    return database.parent / KEY_FILE_NAME


def read_key_file(path: Path) -> list[bytes]:
    """Keys in the file, primary first (one per line)."""
    return [
        base64.urlsafe_b64decode(line.strip())
        for line in path.read_text(encoding="ascii").splitlines()
        if line.strip()
    ]


def write_key_file(path: Path, keys: Sequence[bytes]) -> None:
    """Replace the key file atomically and durably, readable by its owner only."""
    private_folder(path.parent)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as key_file:
        key_file.write("".join(encode_key(key) + "\n" for key in keys))
        key_file.flush()
        os.fsync(key_file.fileno())
    os.replace(temporary, path)
    # Without this, a power cut after the rename could bring the old key file back.
    fsync_folder(path.parent)


def load_or_create_key(
    database: Path,
    configured: Sequence[bytes] | bytes | None,
    data_present: Callable[[], bool] = lambda: False,
) -> list[bytes]:
    """The configured keys, else the key file beside the database, created 0600 if absent.

    Never a new key while `data_present()`: the data would stay encrypted under the lost key,
    and every new write would mix with it (MissingKeyError instead)."""
    if configured is not None:
        return [configured] if isinstance(configured, bytes) else list(configured)
    path = key_path(database)
    if path.exists():
        return read_key_file(path)
    if data_present():
        raise MissingKeyError(path)
    private_folder(path.parent)
    key = new_key()
    # O_EXCL: two processes starting together must not both write a key.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as key_file:
        key_file.write(encode_key(key) + "\n")
        key_file.flush()
        os.fsync(key_file.fileno())
    fsync_folder(path.parent)
    return [key]


def consent_secret_path(database: Path) -> Path:
    """Where the consent tokens' secret lives: beside the database, apart from the data key."""
    return database.parent / CONSENT_SECRET_FILE_NAME


def load_or_create_secret(path: Path, first_value: bytes) -> bytes:
    """A secret kept in its own file, written once (0600) and never derived again.

    `first_value` is what it starts as: the value it was derived as before it had a file, so
    consent buttons already sent keep working; a later key rotation no longer changes it."""
    if path.exists():
        return base64.urlsafe_b64decode(path.read_text(encoding="ascii").strip())
    private_folder(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process wrote it first: use theirs
        return base64.urlsafe_b64decode(path.read_text(encoding="ascii").strip())
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as secret_file:
        secret_file.write(encode_key(first_value) + "\n")
        secret_file.flush()
        os.fsync(secret_file.fileno())
    fsync_folder(path.parent)
    return first_value
