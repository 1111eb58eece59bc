"""The bundled demo dataset of "Lumi", a fictional consumer-electronics D2C shop.

The files under `data/` are made by `python -m growthpilot.demo.make_demo_data` (deterministic,
seeded); see that module for the story the data tells.
"""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

# (kind for `growthpilot ingest`, path relative to DATA_DIR), in the order to ingest them.
DEMO_FILES: tuple[tuple[str, str], ...] = (
    ("catalog", "catalog.csv"),
    ("behavior", "behavior.csv"),
    ("reviews", "reviews_zh.csv"),
    ("reviews", "reviews_en.jsonl"),
    ("docs", "docs"),
)
