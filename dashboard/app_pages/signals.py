"""Adoption signals: conda, Hugging Face Hub, Stack Overflow and npm, beside PyPI.

The panels are functions in `dashboard/signals.py`, so the Adoption page can show them too.
"""

import streamlit as st

from dashboard import db, queries, signals, state
from dashboard.i18n import t

DEFAULT_FRAMEWORKS = ("tensorflow", "pytorch", "jax", "keras", "onnxruntime", "paddlepaddle", "mxnet")

st.title(t("signals.title"))
st.caption(t("signals.intro"))

fw = db.run(queries.frameworks())
names = dict(zip(fw["framework"], fw["name"], strict=True)) if not fw.empty else {}
with_data = set(db.run(queries.signal_frameworks()).get("framework", []))
options = [f for f in names if f in with_data] or list(names)
default = [f for f in DEFAULT_FRAMEWORKS if f in options] or options[:6]
selected = state.multiselect("fw", t("filters.frameworks"), options, default,
                             format_func=lambda f: names.get(f, f))

signals.hub_panel(selected)
signals.stackoverflow_panel(selected)
signals.npm_panel(selected)
signals.conda_panel(selected)
