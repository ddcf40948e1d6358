"""dltrends dashboard: `dltrends dashboard` (or `streamlit run dashboard/app.py`).

Builds the navigation over dashboard/app_pages/; each page reads the published file's public views.
"""

import streamlit as st

from dashboard import db, state, warmup
from dashboard.i18n import t
from dltrends.errors import ConfigError
from warehouse.catalogue import COLLECT

st.set_page_config(page_title="dltrends", page_icon=":material/monitoring:", layout="wide")

PAGES = [
    st.Page("app_pages/overview.py", title=t("nav.overview"), icon=":material/dashboard:",
            default=True),
    st.Page("app_pages/compare.py", title=t("nav.compare"), icon=":material/compare_arrows:",
            url_path="compare"),
    st.Page("app_pages/framework.py", title=t("nav.framework"), icon=":material/deployed_code:",
            url_path="framework"),
    st.Page("app_pages/advisor.py", title=t("nav.advisor"), icon=":material/recommend:",
            url_path="advisor"),
    st.Page("app_pages/releases.py", title=t("nav.releases"), icon=":material/new_releases:",
            url_path="releases"),
    st.Page("app_pages/performance.py", title=t("nav.performance"), icon=":material/speed:",
            url_path="performance"),
    st.Page("app_pages/adoption.py", title=t("nav.adoption"), icon=":material/trending_up:",
            url_path="adoption"),
    st.Page("app_pages/community.py", title=t("nav.community"), icon=":material/groups:",
            url_path="community"),
    st.Page("app_pages/data.py", title=t("nav.data"), icon=":material/database:", url_path="data"),
    st.Page("app_pages/sql.py", title=t("nav.sql"), icon=":material/terminal:", url_path="sql"),
]

page = st.navigation(PAGES)
state.language_switch(t("sidebar.language"))
st.sidebar.caption(t("app.tagline"))
st.sidebar.caption(t("sidebar.about"))

try:
    path = db.published()
except ConfigError as exc:
    st.error(t("app.settings_error", error=str(exc)))
    st.stop()
if not db.available():
    st.title(page.title)
    st.warning(t("app.no_warehouse", path=str(path), command=COLLECT))
    st.stop()
warmup.start()  # this server's one background thread that warms the caches after each publish
page.run()
