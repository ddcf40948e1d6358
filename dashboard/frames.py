"""Small, tested reshaping of query results for charts (no I/O)."""

from __future__ import annotations

import pandas as pd


def support_matrix(files: pd.DataFrame) -> pd.DataFrame:
    """Wheel files -> one row per (Python version, OS/architecture) with the number of wheels.

    Pure-Python wheels appear as target 'any'; source distributions are left out.
    """
    binary = files[files["packagetype"] != "sdist"]
    rows = []
    for file in binary.itertuples(index=False):
        targets = _targets(list(file.platforms), list(file.architectures))
        for python in list(file.python_versions) or ["?"]:
            for target in targets:
                rows.append((python, target, file.filename))
    if not rows:
        return pd.DataFrame(columns=["python", "target", "wheels", "files"])
    frame = pd.DataFrame(rows, columns=["python", "target", "filename"])
    out = frame.groupby(["python", "target"], as_index=False).agg(
        wheels=("filename", "nunique"), files=("filename", lambda s: ", ".join(sorted(set(s)))))
    out["order"] = out["python"].map(_python_key)
    out = out.sort_values(["order", "target"]).drop(columns="order")
    return out.reset_index(drop=True)


def python_order(matrix: pd.DataFrame) -> list[str]:
    """Python versions of a support matrix, newest first (3.13 above 3.9)."""
    return sorted(matrix["python"].unique(), key=_python_key, reverse=True)


def _targets(platforms: list[str], archs: list[str]) -> list[str]:
    if platforms == ["any"] or not platforms:
        return ["any"]
    archs = [a for a in archs if a != "any"] or ["?"]
    return [f"{p} {a}" for p in platforms if p != "any" for a in archs]


def _python_key(version: str) -> tuple:
    try:
        return (0, tuple(int(x) for x in version.rstrip("+").split(".")))
    except ValueError:
        return (1, (version,))
