"""Storage adapters: how the application's side stores (beside the event log) are kept
in each SQL dialect. The composition root (web/storage.py) picks the twin for the backend.
"""
