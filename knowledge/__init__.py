"""knowledge/: data in, facts out — ingest, privacy, insights, embeddings, FAISS + BM25 search.

This package imports nothing else of growthpilot's: callers hand it its own
settings sections (`knowledge.settings`) and secrets as plain values.
"""
