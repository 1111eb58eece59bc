"""`growthpilot data encrypt`: turn encryption at rest on for a data dir written without a key."""

from __future__ import annotations

from ..errors import UserFacingError
from ..output import emit_json


def register(sub, parent) -> None:
    p = sub.add_parser(
        "data",
        parents=[parent],
        help="manage the data dir (encrypt it in place)",
        description=(
            "`encrypt`: with a data key set ($GROWTHPILOT_DATA_KEY or [privacy] data_key_file), encrypt a data dir "
            "that was written without one, in place: store.sqlite, assistant.sqlite and the embedding cache through "
            "SQLCipher, the search index files with AES-256-GCM. Files already encrypted are only checked against "
            "the key, so it is safe to run twice. Stop `serve` and any ingest on this dir first. The Parquet "
            "behaviour parts are not encrypted (see docs/knowledge-ingest.md). The old plaintext blocks may "
            "remain on disk: for a hard guarantee, encrypt the disk too."
        ),
    )
    p.add_argument("action", choices=["encrypt"], help="what to do")
    p.set_defaults(handler=run)


def run(args, cfg) -> int:
    from knowledge import atrest

    ar = atrest.current()
    if not ar.enabled:
        raise UserFacingError("no data key is configured", fix=f"export {cfg.privacy.data_key_env}=$(python -c 'import secrets; "
                              "print(secrets.token_hex(32))') and keep it safe: without it the data cannot be read")
    done = atrest.encrypt_data_dir(cfg.data.dir, ar)
    if args.json:
        emit_json({"ok": True, **done})
    else:
        print(f"encrypted {len(done['sqlite_encrypted'])} SQLite file(s) {', '.join(done['sqlite_encrypted'])}; "
              f"{len(done['sqlite_already'])} already encrypted; sealed {done['index_files_sealed']} index file(s), "
              f"{done['index_files_already']} already sealed")
    return 0
