"""Data at rest: private modes always, encryption when a data key is configured.

- `private_dir(path)`: the data folder is 0700 (the CLI also sets umask 077, so every file it
  writes is 0600).
- With a data key (env GROWTHPILOT_DATA_KEY, or a key file outside the data dir — see
  `load_data_key`), SQLite files are opened through SQLCipher (`sqlcipher3`, AES-256, raw key, no
  KDF per open) and other files go through `encrypt`/`decrypt`: AES-256-GCM, a random 96-bit nonce
  per write, the file's role as associated data, a magic header so a plain file is recognised.
- A wrong key, or an encrypted file opened without a key, is a clear `KnowledgeError` (the CLI
  exits 2), never "file is not a database".

The key is configured once per process with `configure(key)` (the CLI does it after reading the
config); the store calls `current().connect(...)`, so the store's code changes by a line.
Covered: the SQLite stores (store, assistant, embedding cache) and the search index files (FAISS,
BM25, items). Not yet covered: the Parquet parts of the behaviour log (DuckDB reads them in place),
rejects, charts, exports and the audit log (redacted, not encrypted) — see docs/knowledge-ingest.md.
`encrypt_data_dir` turns it on for a dir written without a key (`growthpilot data encrypt`).
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import warnings
from dataclasses import dataclass
from pathlib import Path

from .types import KnowledgeError

MAGIC = b"GPENC1\x00"
_NONCE = 12
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
_SQLITE_HEADER = b"SQLite format 3\x00"
DATA_KEY_ENV = "GROWTHPILOT_DATA_KEY"


class DataKeyError(KnowledgeError):
    """Missing or wrong data key: fixed by setting the right key, never by rebuilding."""


def private_dir(path: Path) -> None:
    """Make `path` 0700 (best effort: a folder we do not own keeps its mode)."""
    try:
        os.chmod(path, 0o700)
    except OSError:
        pass


def load_data_key(env_value: str | None, key_file: Path | None = None) -> bytes | None:
    """The 32-byte data key: from the env value (64 hex digits, or a passphrase stretched with
    scrypt), else from `key_file` when it exists (same format), else None (no encryption)."""
    value = (env_value or "").strip()
    source = f"${DATA_KEY_ENV}"
    if not value and key_file is not None and Path(key_file).is_file():
        value = Path(key_file).read_text(encoding="utf-8").strip()
        source = str(key_file)
    if not value:
        return None
    if _HEX64.match(value):
        return bytes.fromhex(value)
    if len(value) < 16:
        raise KnowledgeError(f"the data key from {source} is too short: use 64 hex digits "
                             "(e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`) or a long passphrase")
    return hashlib.scrypt(value.encode("utf-8"), salt=b"growthpilot-data-key-v1", n=2 ** 14, r=8, p=1, dklen=32)


@dataclass(frozen=True)
class AtRest:
    """Encryption at rest with `key` (None: plain files, private modes only)."""

    key: bytes | None = None

    @property
    def enabled(self) -> bool:
        return self.key is not None

    # ---------------------------------------------------------------- SQLite
    def connect(self, path: Path, **kwargs):
        """A DB-API connection to the SQLite file `path`: SQLCipher when a key is set."""
        path = Path(path)
        head = _head(path)
        if not self.enabled:
            if head and head != _SQLITE_HEADER[: len(head)]:
                raise DataKeyError(f"{path} is encrypted (or not SQLite): set ${DATA_KEY_ENV} to its data key")
            return sqlite3.connect(str(path), **kwargs)
        try:
            import sqlcipher3
        except ImportError as exc:  # pragma: no cover - a dependency in pyproject.toml
            raise KnowledgeError("encryption at rest needs the sqlcipher3 package: pip install sqlcipher3") from exc
        if head.startswith(_SQLITE_HEADER):
            raise DataKeyError(f"{path} is not encrypted but a data key is set: unset ${DATA_KEY_ENV} to read it, "
                               "or encrypt the data dir with `growthpilot data encrypt`")
        conn = sqlcipher3.connect(str(path), **kwargs)
        conn.execute("PRAGMA cipher_log_level = NONE")  # our error says what went wrong, not SQLCipher's stderr
        conn.execute(f"PRAGMA key = \"x'{self.key.hex()}'\"")
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError:
            conn.close()
            raise DataKeyError(f"{path} cannot be decrypted with the configured data key "
                               f"(${DATA_KEY_ENV} or the data key file): wrong key") from None
        return conn

    # ---------------------------------------------------------------- files
    def encrypt(self, data: bytes, *, role: str) -> bytes:
        """`data` sealed for this key (plain `data` when no key). `role` binds it to its use."""
        if not self.enabled:
            return data
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = os.urandom(_NONCE)
        return MAGIC + nonce + AESGCM(self.key).encrypt(nonce, data, role.encode("utf-8"))

    def decrypt(self, blob: bytes, *, role: str, where: str = "") -> bytes:
        """The plain bytes of `blob` (a plain blob is returned as is when no key is set)."""
        if not blob.startswith(MAGIC):
            if self.enabled:
                raise DataKeyError(f"{where or role} is not encrypted but a data key is set: run "
                                   "`growthpilot data encrypt` (or unset the data key)")
            return blob
        if not self.enabled:
            raise DataKeyError(f"{where or role} is encrypted: set ${DATA_KEY_ENV} to its data key")
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = blob[len(MAGIC): len(MAGIC) + _NONCE]
        try:
            return AESGCM(self.key).decrypt(nonce, blob[len(MAGIC) + _NONCE:], role.encode("utf-8"))
        except InvalidTag:
            raise DataKeyError(f"{where or role} cannot be decrypted: wrong data key, or the file was "
                               "altered") from None

    def write_bytes(self, path: Path, data: bytes, *, role: str) -> None:
        """Write atomically (temp file + rename), 0600, encrypted when a key is set."""
        path = Path(path)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(self.encrypt(data, role=role))
        os.replace(tmp, path)

    def check_plain(self, path: Path) -> Path:
        """`path` itself, after checking it is not a sealed file we have no key for."""
        with open(path, "rb") as fh:
            if fh.read(len(MAGIC)) == MAGIC:
                raise DataKeyError(f"{path} is encrypted: set ${DATA_KEY_ENV} to its data key")
        return Path(path)

    def read_bytes(self, path: Path, *, role: str) -> bytes:
        path = Path(path)
        return self.decrypt(path.read_bytes(), role=role, where=str(path))


def row_type(conn):
    """The Row factory that fits `conn` (sqlite3.Row or sqlcipher3's own)."""
    if isinstance(conn, sqlite3.Connection):
        return sqlite3.Row
    import sqlcipher3

    return sqlcipher3.Row


def _head(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(len(_SQLITE_HEADER))
    except OSError:
        return b""


_current = AtRest()


def configure(key: bytes | None) -> AtRest:
    """Set the process-wide data key (None: no encryption). Returns the new setting."""
    global _current
    if key is not None and len(key) != 32:
        raise KnowledgeError("the data key must be 32 bytes (64 hex digits)")
    _current = AtRest(key)
    if key is not None:
        # pandas.read_sql works through any DB-API connection but warns for one that is not sqlite3's
        # (the store reads its frames that way); SQLCipher's is a drop-in, so the warning is noise.
        warnings.filterwarnings("ignore", message="pandas only supports SQLAlchemy connectable", category=UserWarning)
    return _current


def current() -> AtRest:
    """The process-wide setting (see `configure`)."""
    return _current


# --------------------------------------------------------------------------- turning it on for an existing dir
# the role a sealed behaviour Parquet part is bound to (knowledge.store.write_part / read_part)
PART_ROLE = "behavior part"
SQLITE_FILES = ("store.sqlite", "assistant.sqlite", "cache/embeddings/embeddings.sqlite")


def encrypt_data_dir(data_dir: Path, ar: AtRest) -> dict:
    """Encrypt a data dir written without a key, in place: the SQLite files through
    `sqlcipher_export`, the index files and the behaviour Parquet parts sealed (manifests updated). Files already encrypted
    are checked with the key and left alone, so running it twice is harmless. Stop every other
    growthpilot process on this dir first. Returns what was done."""
    import json

    if not ar.enabled:
        raise DataKeyError(f"no data key: set ${DATA_KEY_ENV} (or the data key file) first")
    data_dir = Path(data_dir)
    done = {"sqlite_encrypted": [], "sqlite_already": [], "index_files_sealed": 0, "index_files_already": 0,
            "behavior_parts_sealed": 0, "behavior_parts_already": 0}
    for part in sorted((data_dir / "behavior").glob("*.parquet")):
        blob = part.read_bytes()
        if blob.startswith(MAGIC):
            ar.decrypt(blob, role=PART_ROLE, where=str(part))  # wrong key → DataKeyError
            done["behavior_parts_already"] += 1
            continue
        ar.write_bytes(part, blob, role=PART_ROLE)
        done["behavior_parts_sealed"] += 1
    for rel in SQLITE_FILES:
        path = data_dir / rel
        if not path.exists():
            continue
        if not _head(path).startswith(_SQLITE_HEADER):
            ar.connect(path).close()  # raises DataKeyError on a wrong key
            done["sqlite_already"].append(rel)
            continue
        _encrypt_sqlite(path, ar.key)
        done["sqlite_encrypted"].append(rel)
    for manifest_path in sorted((data_dir / "indexes").glob("*/manifest.json")):
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        changed = False
        for role, info in manifest.get("files", {}).items():
            f = manifest_path.parent / info["name"]
            blob = f.read_bytes()
            if blob.startswith(MAGIC):
                ar.decrypt(blob, role=f"index:{role}", where=str(f))  # wrong key → DataKeyError
                done["index_files_already"] += 1
                continue
            ar.write_bytes(f, blob, role=f"index:{role}")
            info["sha256"] = hashlib.sha256(f.read_bytes()).hexdigest()
            info["bytes"] = f.stat().st_size
            done["index_files_sealed"] += 1
            changed = True
        if changed:
            tmp = manifest_path.with_name(manifest_path.name + ".tmp")
            tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
            os.replace(tmp, manifest_path)
    return done


def _encrypt_sqlite(path: Path, key: bytes) -> None:
    import sqlcipher3

    plain = sqlite3.connect(str(path))
    try:
        plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything into the main file first
        plain.execute("PRAGMA journal_mode=DELETE")
    finally:
        plain.close()
    out = path.with_name(path.name + ".encrypting")
    out.unlink(missing_ok=True)
    conn = sqlcipher3.connect(str(path))  # no key: SQLCipher reads a plain file as plain SQLite
    try:
        conn.execute(f"ATTACH DATABASE '{out}' AS encrypted KEY \"x'{key.hex()}'\"")
        conn.execute("SELECT sqlcipher_export('encrypted')")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute(f"PRAGMA encrypted.user_version = {int(version)}")
        conn.execute("DETACH DATABASE encrypted")
    finally:
        conn.close()
    os.chmod(out, 0o600)
    os.replace(out, path)
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
