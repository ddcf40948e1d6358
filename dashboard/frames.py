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


def segments(frame: pd.DataFrame, series: str, x: str, step: str, value: str | None = None) -> pd.DataFrame:
    """Number the unbroken runs of each series, so a line is drawn per run and a gap stays a gap.

    `step` is the expected spacing of `x` ("D" day, "W" week, "MS" month); a missing step, or a
    missing value in column `value`, starts a new run. Rows without a value are dropped.
    """
    if frame.empty:
        return frame.assign(segment=pd.Series(dtype="int64"))
    out = frame.sort_values([series, x]).copy()
    if value is not None:
        out = out[out[value].notna()]
    when = pd.to_datetime(out[x])
    expected = when.groupby(out[series]).shift(1) + pd.tseries.frequencies.to_offset(step)
    breaks = (when != expected) | expected.isna()
    out["segment"] = out[series].astype(str) + "#" + breaks.groupby(out[series]).cumsum().astype(str)
    return out.reset_index(drop=True)


def github_release_url(url: str) -> str | None:
    """`url` rebuilt from its parts when it is a github.com release page, else None.

    The dashboard links only to pages it can vouch for: https://github.com/<owner>/<repo>/releases/tag/<tag>.
    """
    import re
    from urllib.parse import quote, unquote

    m = re.fullmatch(r"https://github\.com/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)/releases/tag/([^?#]+)", url)
    if not m:
        return None
    return f"https://github.com/{m.group(1)}/{m.group(2)}/releases/tag/{quote(unquote(m.group(3)), safe='')}"
