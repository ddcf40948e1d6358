"""Advisor: the user weighs the criteria, picks the deployment targets the team needs and its
current framework; dltrends ranks the frameworks, shows the evidence behind every rank with links
to the panels it comes from, and flags the risks."""

import pandas as pd
import streamlit as st

from dashboard import charts_insight, insight, state
from dashboard import insight_ui as ui
from dashboard.i18n import t
from dashboard.panel import panel
from dashboard.queries import Queries, shared
from dltrends.analysis import scoring

CRITERIA = list(scoring.ADVISOR_WEIGHTS)
LINKS = {  # criterion -> the page (and panel) its evidence comes from
    "adoption": ("framework", "momentum"), "momentum": ("compare", None),
    "community": ("community", None), "performance": ("performance", None),
    "stability": ("releases", None), "outlook": ("framework", "health"),
    "deployment": ("framework", "about"),
}

st.title(t("advisor.title"))
st.caption(t("advisor.intro"))

names = insight.names()
with st.container(border=True):
    st.markdown(t("advisor.weights"))
    weights = {}
    for column, criterion in zip(st.columns(4) + st.columns(4), CRITERIA, strict=False):
        with column:
            weights[criterion] = state.slider(
                f"w_{criterion}", t(f"insight.criterion_{criterion}"), 0, 100,
                int(100 * scoring.ADVISOR_WEIGHTS[criterion]), 5, help=t(f"insight.crule_{criterion}"))
    left, mid, right = st.columns([3, 2, 2])
    with left:
        target_names = {d: t(f"insight.target_{d}") for d in scoring.TARGETS}
        targets = state.multiselect("targets", t("advisor.targets"), list(target_names), [],
                                    format_func=target_names.__getitem__)
    with mid:
        choices = {"": t("advisor.none")} | names
        current = state.selectbox("current", t("advisor.current"), list(choices), "",
                                  format_func=choices.__getitem__) or ""
    with right:
        bonus = state.slider("switch", t("advisor.switching"), 0, 30, 10, 1,
                             help=t("advisor.switching_help"))

facts = insight.framework_facts()
advice = scoring.advise(facts, weights=weights, targets=targets, current=current or None,
                        switching_bonus=bonus / 100, required=True) if not facts.empty else []
sources = ("downloads", "github-history", "hf", "pypi", "osv", "bench", "registry")
evidence_queries = Queries((*insight.momentum_queries().parts, shared.framework_health(),
                            shared.bench_suite_latest(), shared.insight_frameworks()))


def risk_text(flags: list[str]) -> str:
    return "; ".join(t(f"insight.risk_{f}") for f in flags)


def ranking_frame() -> pd.DataFrame:
    rows = [{"rank": a.rank, "framework": a.framework, "name": names.get(a.framework, a.framework),
             "score": a.score, "coverage": a.coverage, "risks": risk_text(a.risks),
             "unranked": unranked_text(a) if a.unranked else ""}
            for a in advice]
    return pd.DataFrame(rows, columns=["rank", "framework", "name", "score", "coverage", "risks",
                                       "unranked"])


def unranked_text(a: scoring.Advice) -> str:
    if a.unranked == "targets":
        return t("advisor.missing", targets=", ".join(t(f"insight.target_{m}") for m in a.missing_targets))
    return t("advisor.little_evidence", coverage=f"{a.coverage:.0%}", needed=f"{scoring.MIN_COVERAGE:.0%}")


def contributions() -> pd.DataFrame:
    """Points each criterion adds to each ranked framework's score (they sum to the score)."""
    rows = []
    for a in (a for a in advice if a.rank):
        for name, points in a.points().items():
            if points is not None:
                rows.append((names[a.framework], t(f"insight.criterion_{name}"), points))
        if a.framework == current and bonus:
            rows.append((names[a.framework], t("advisor.switching_points"),
                         a.score - sum(p for f, _, p in rows if f == names[a.framework])))
    return pd.DataFrame(rows, columns=["framework_name", "criterion_label", "points"])


ranking = ranking_frame()
parts = contributions()
chart_labels = {k: t(f"insight.label_{k}") for k in ("framework", "criterion", "points")}
panel("ranking", t("advisor.ranking"), evidence_queries, ranking, source=sources,
      command=insight.COMMANDS["health"], help=t("advisor.ranking_help"), show_table=True,
      chart=charts_insight.ranking(parts, chart_labels) if not parts.empty else None,
      column_config={c: t(f"advisor.col_{c}") for c in ranking.columns} | {"framework": None} | {
          "coverage": st.column_config.NumberColumn(t("advisor.col_coverage"), format="percent"),
          "score": st.column_config.NumberColumn(t("advisor.col_score"), format="%.1f")})


def evidence(criterion: str, raw: object, fid: str) -> str:
    """The facts a criterion read, in words."""
    row = facts.loc[fid]
    if raw is None or (not isinstance(raw, dict | list) and ui.missing(raw)):
        return t("insight.no_data")
    if criterion == "adoption":
        return t("advisor.ev_adoption", index=ui.percent(raw, signed=False),
                 coverage=f"{row['adoption_coverage']:.0%}")
    if criterion == "performance":
        return t("advisor.ev_performance", speedup=f"{raw:.2f}")
    if criterion == "outlook":
        return t(f"lifecycle.{raw}") + (f" → {names.get(row['successor'])}"
                                        if not ui.missing(row.get("successor")) else "")
    if criterion == "deployment":
        return ", ".join(t(f"insight.target_{d}") for d in raw) if raw else t("advisor.ev_uncurated")
    parts = [t(f"advisor.ev_{k}", value=_fmt(k, v)) for k, v in raw.items() if not ui.missing(v)]
    return "; ".join(parts) or t("insight.no_data")


def _fmt(key: str, value: object) -> str:
    if key.endswith("growth_90d"):
        return ui.percent(value)
    if key.endswith("ratio"):
        return f"{float(value):.2f}"
    return ui.number(value)


frameworks = insight.registry()
deployment_sources = (frameworks.set_index("framework")["deployment_source"] if not frameworks.empty
                      else pd.Series(dtype=object))


def link(criterion: str, fid: str) -> str:
    page, anchor = LINKS[criterion]
    if criterion == "deployment" and facts.loc[fid, "deployment"]:
        source = deployment_sources.get(fid)
        if isinstance(source, str) and source.startswith("https://"):
            return source
    params = {"fw": fid} | ({"notes": fid} if page == "releases" else {})
    return ui.page_url(page, **params, **({"anchor": anchor} if anchor else {}))


def evidence_frame() -> pd.DataFrame:
    rows = []
    for a in advice:
        points = a.points()
        for name, (raw, score, weight) in a.criteria.items():
            rows.append({"framework": a.framework, "criterion": t(f"insight.criterion_{name}"),
                         "evidence": evidence(name, raw, a.framework), "score": score,
                         "weight": weight / (sum(weights.values()) or 1),
                         "points": points[name],
                         "rule": t(f"insight.crule_{name}"), "link": link(name, a.framework)})
    return pd.DataFrame(rows)


def show_evidence(frame: pd.DataFrame) -> None:
    config = {"evidence": t("advisor.col_evidence"), "criterion": t("advisor.col_criterion"),
              "rule": t("advisor.col_rule"),
              "score": st.column_config.NumberColumn(t("advisor.col_criterion_score"), format="%.2f"),
              "weight": st.column_config.NumberColumn(t("advisor.col_weight"), format="percent"),
              "points": st.column_config.NumberColumn(t("advisor.col_points"), format="%.1f"),
              "link": st.column_config.LinkColumn(t("advisor.col_link"), display_text=t("advisor.open"))}
    for a in advice:
        head = (t("advisor.ranked", rank=a.rank, name=names[a.framework], score=a.score) if a.rank
                else t("advisor.unranked", name=names[a.framework]))
        with st.expander(head, expanded=a.rank == 1):
            if a.unranked:
                st.caption(unranked_text(a))
            for flag in a.risks:
                st.markdown(f":warning: {t(f'insight.risk_{flag}')}")
            st.caption(t("advisor.coverage", coverage=f"{a.coverage:.0%}"))
            mine = frame[frame["framework"] == a.framework].drop(columns=["framework"])
            st.dataframe(mine, hide_index=True, width="stretch", column_config=config)


evidence_rows = evidence_frame() if advice else pd.DataFrame()
panel("evidence", t("advisor.evidence"), evidence_queries, evidence_rows, source=sources,
      command=insight.COMMANDS["health"], help=t("advisor.evidence_help"), body=show_evidence)
