"""`growthpilot docs list|remove`: the docs in the public (customer-facing) collection.

`remove` deletes a doc — every chunk of it — from the store and then from the search index
(unless --no-index: the refresh journal keeps the removal for the next run). A doc is named
by its id (`doc:policies/returns.md`, a chunk id `doc:policies/returns.md#2` works too), its
path relative to the docs root (`policies/returns.md`, what `docs list` shows) or its file.
"""

from __future__ import annotations

import sys

from knowledge.ingest import remove_doc
from knowledge.store import Store

from ..errors import UserFacingError
from ..output import emit_json, table
from ..pipeline import refresh


def register(sub, parent) -> None:
    p = sub.add_parser(
        "docs",
        parents=[parent],
        help="list or remove the docs in the public collection (FAQ, policies)",
        description="List the docs stored for the public (customer-facing) collection, or remove one from the "
                    "store and the search index. Add or replace docs with `growthpilot ingest docs PATH`: ids come "
                    "from the path relative to the docs folder, so re-ingesting a changed file replaces it.",
    )
    dsub = p.add_subparsers(dest="docs_command", metavar="ACTION", required=True)
    dsub.add_parser("list", parents=[parent], help="the stored docs: id, path, chunks, source file",
                    description="One line per stored doc: its id, chunks and the file it came from.")
    rm = dsub.add_parser("remove", parents=[parent], help="delete a doc from the store and the search index",
                         description="Delete a doc (all its chunks) from the store and the public search index. "
                                     "REF is a doc id (doc:faq.md or doc:faq.md#0), the path relative to the docs "
                                     "folder (faq.md, as `docs list` shows it) or the file's path.")
    rm.add_argument("ref", nargs="+", metavar="REF", help="doc id, relative path or file path (repeatable)")
    rm.add_argument("--no-index", action="store_true",
                    help="only delete from the store; the next `growthpilot ingest`, `search` or `serve` updates the "
                         "index (refresh journal)")
    p.set_defaults(handler=run)


def run(args, cfg) -> int:
    data_dir = cfg.data.dir
    if not (data_dir / "store.sqlite").exists():
        raise UserFacingError(f"no data ingested yet (no store in {data_dir})",
                              fix="run `growthpilot ingest docs FOLDER` first")
    store = Store.open(data_dir)
    try:
        if args.docs_command == "list":
            return _list(args, store)
        with store.writing(wait_s=cfg.ingest.lock_wait_s, on_wait=lambda msg: print(msg, file=sys.stderr)):
            return _remove(args, cfg, store)
    finally:
        store.close()


def _list(args, store) -> int:
    docs = store.doc_list()
    if args.json:
        emit_json({"ok": True, "docs": docs})
    elif not docs:
        print("no docs stored; add them with `growthpilot ingest docs FOLDER`")
    else:
        print(table([(d["id"], d["chunks"], d["file"] or "-") for d in docs], ["id", "chunks", "file"]))
    return 0


def _remove(args, cfg, store) -> int:
    removed, missing = [], []
    for ref in args.ref:
        got = remove_doc(store, ref)
        (removed.extend(got) if got else missing.append(ref))
    result = None
    if removed and not args.no_index:
        result = refresh(store, cfg.data.dir, cfg.embeddings, cfg.index, cfg.search, progress=sys.stderr.isatty())
    if args.json:
        emit_json({"ok": not missing, "removed": removed, "not_found": missing, "refresh": result})
    else:
        for p in removed:
            print(f"removed doc:{p} from the store" + (" and the search index" if result else ""))
        if removed and args.no_index:
            print("note: --no-index: the search index still has it until the next `growthpilot ingest`, `search` or "
                  "`serve`")
    if missing:
        print(f"error: no stored doc matches {', '.join(missing)}; `growthpilot docs list` shows the ids",
              file=sys.stderr)
        return 2
    return 0
