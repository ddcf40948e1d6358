"""Analysis over public-view data: momentum and share, health, forecasts, change points, the advisor.

Pure functions on DataFrames (no I/O): the dashboard, the weekly report and the alerts call them on
query results. Every output carries the inputs it was computed from, so a page can show its
evidence; nothing is invented where data is missing (the result says "no data" instead).
"""
