"""Publish time and published-file size at 1M and 10M rows, against a plain copy of the same bytes."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warehouse.db import connect
from warehouse.publish import publish

FILL = """
CREATE TABLE releases_like AS
SELECT 'pkg-' || (i % 500) AS package_key, 'file-' || i || '.whl' AS filename,
       (i % 97) || '.0' AS version, (hash(i) % 500000000)::BIGINT AS size_bytes,
       TIMESTAMPTZ '2020-01-01 00:00:00+00' + to_seconds(i % 100000) AS uploaded_at,
       i % 50 = 0 AS yanked, ['3.10', '3.11'] AS python_versions
FROM range(?) t(i)
"""


def main() -> None:
    print("publish (checkpoint + copy + fsync + atomic rename) vs plain copy (synthetic rows)")
    for rows in (1_000_000, 10_000_000):
        with tempfile.TemporaryDirectory() as tmp:
            work, published = Path(tmp) / "dl.duckdb.work", Path(tmp) / "dl.duckdb"
            con = connect(work)
            con.execute(FILL, [rows])
            con.close()
            start = time.perf_counter()
            shutil.copyfile(work, Path(tmp) / "plain-copy")
            plain = time.perf_counter() - start
            os.remove(Path(tmp) / "plain-copy")
            result = publish(work, published, compact_ratio=0)  # publish alone, as measured
            print(f"  {rows:>10,} rows: file {result.bytes / 1e6:7.1f} MB, publish {result.seconds:6.2f} s, "
                  f"plain copy {plain:6.2f} s ({result.seconds / plain:4.1f}x)")


if __name__ == "__main__":
    main()
