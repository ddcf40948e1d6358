"""The README's reference sections are generated from the code and must be current."""

from jobs import docs
from warehouse.db import connect, ensure_shape, public_views


def test_readme_reference_sections_are_current():
    assert docs.main(["--check"]) == 0, "run `python -m jobs.docs` and commit README.md"


def test_every_public_view_and_column_is_documented_with_an_example():
    con = connect(":memory:")
    ensure_shape(con)
    views = public_views(con)
    assert set(views) == set(docs.EXAMPLES)
    undocumented = con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main' "
        "AND table_name IN (SELECT unnest(?::VARCHAR[])) AND (comment IS NULL OR comment = '')",
        [views]).fetchall()
    assert undocumented == []
    for view in views:  # every example runs against the current schema
        con.execute(docs.EXAMPLES[view]).fetchall()
    con.close()


def test_readme_shows_the_two_setup_commands():
    text = docs.README.read_text()
    assert "make run" in text and "make test" in text
