"""Collectors: one module per source; each turns HTTP responses into raw items (see base.py)."""
