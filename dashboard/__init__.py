"""The Streamlit dashboard; reads the public views of the published file only."""
