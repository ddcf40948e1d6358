"""The warehouse: raw landing -> typed `core` tables -> public views in `main` -> published file."""
