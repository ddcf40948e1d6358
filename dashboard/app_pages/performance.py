"""Performance: the benchmark suite across frameworks and versions on one machine, and MLPerf."""

import pandas as pd
import streamlit as st

from dashboard import charts_performance as perf
from dashboard import db, insight, state
from dashboard.i18n import t
from dashboard.panel import column_labels, panel
from dashboard.queries import performance as queries
from warehouse.catalogue import command_for

BENCH = insight.COMMANDS["bench"]
MLPERF = command_for("mlperf_results")

st.title(t("performance.title"))
st.caption(t("performance.intro"))

labels = {k: t(f"performance.label_{k}") for k in (
    "framework", "mode", "case", "median", "iqr", "speedup", "version", "step", "from", "change", "round",
    "share", "results", "minutes", "fastest")}

machines = db.run(queries.bench_machines())
machine_ids = list(machines["machine_id"]) if not machines.empty else []
described = dict(zip(machines["machine_id"], machines["cpu_model"], strict=True)) if machine_ids else {}
machine = state.selectbox("machine", t("performance.machine"), machine_ids,
                          format_func=lambda m: f"{described.get(m) or '?'} · {m}") or ""
query = queries.bench_results(machine)
results = db.run(query)

# The suite across frameworks at their latest measured versions, relative to NumPy
suite = perf.latest_suite(results) if not results.empty else pd.DataFrame()
chart = perf.suite_chart(suite, labels) if not suite.empty else None
table = suite.drop(columns=["label", "benchmark"], errors="ignore")
panel("suite", t("performance.suite"), query, table, source="bench", command=BENCH, chart=chart,
      help=t("performance.suite_help"), show_table=True,
      column_config=column_labels("performance.col_", list(table.columns)))

# One framework across its versions, with the steps found
frameworks = sorted(results["framework"].unique()) if not results.empty else []
framework = state.selectbox("fw", t("filters.framework"), frameworks,
                            "jax" if "jax" in frameworks else None) or ""
series = perf.version_series(results, framework) if not results.empty else pd.DataFrame()
steps_query = queries.bench_regressions(machine, framework)
steps = db.run(steps_query)
chart = None
if not series.empty:
    chart = perf.versions_chart(series, steps, perf.version_order(series["version"]), labels)
    st.caption(t("performance.versions_measured", framework=framework,
                 versions=", ".join(perf.version_order(series["version"]))))
panel("versions", t("performance.versions"), query, series.drop(columns=["run_id"], errors="ignore"),
      source="bench", command=BENCH, chart=chart, help=t("performance.versions_help"))
if steps.empty and not series.empty:  # measured, and nothing moved more than the noise
    st.caption(t("performance.no_steps", framework=framework))
else:
    panel("steps", t("performance.steps"), steps_query, steps, source="bench",
          command=f"{BENCH} --spec jax==0.9.2", help=t("performance.steps_help"), show_table=True,
          column_config=column_labels(
              "performance.col_", list(steps.columns),
              change=st.column_config.NumberColumn(t("performance.col_change"), format="percent"),
              noise=st.column_config.NumberColumn(t("performance.col_noise"), format="percent")))

# The machine and the environments of its latest run
query = queries.bench_fingerprint(machine)
fingerprint = db.run(query)
panel("fingerprint", t("performance.fingerprint"), query, fingerprint, source="bench", command=BENCH,
      help=t("performance.fingerprint_help"),
      column_config=column_labels("performance.col_", list(fingerprint.columns)))

# MLPerf by framework
suites = {"training": t("performance.training"), "inference": t("performance.inference")}
mlperf_suite = state.selectbox("mlsuite", t("performance.mlperf_suite"), list(suites), "training",
                               format_func=suites.__getitem__)
query = queries.mlperf_share(mlperf_suite)
share = db.run(query)
panel("mlperf_share", t("performance.mlperf_share"), query, share, source="mlperf", command=MLPERF,
      chart=perf.share_chart(share, labels) if not share.empty else None,
      help=t("performance.mlperf_share_help"))

query = queries.mlperf_best_times()
best = db.run(query)
benchmarks = sorted(best["benchmark"].unique()) if not best.empty else []
benchmark = state.selectbox("mlbench", t("performance.mlperf_benchmark"), benchmarks)
shown = best[best["benchmark"] == benchmark] if benchmark else best
panel("mlperf_best", t("performance.mlperf_best"), query, shown, source="mlperf", command=MLPERF,
      chart=perf.best_time_chart(shown, labels) if not shown.empty else None,
      help=t("performance.mlperf_best_help"), show_table=True,
      column_config=column_labels("performance.col_", list(shown.columns)))

query = queries.mlperf_unmapped()
unmapped = db.run(query)
panel("mlperf_unmapped", t("performance.mlperf_unmapped"), query, unmapped, source="mlperf",
      command=MLPERF, help=t("performance.mlperf_unmapped_help"),
      column_config=column_labels("performance.col_", list(unmapped.columns)))
