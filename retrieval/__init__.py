"""Retrieval core: corpus parsing, index build/load, hybrid search, quote selection.

Never imports a chat library; `bot/` adapters sit on top of `QAEngine`.
"""
