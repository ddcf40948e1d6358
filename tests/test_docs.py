"""The README's reference sections are generated from the code and must be current."""

from jobs import docs


def test_readme_reference_sections_are_current():
    assert docs.main(["--check"]) == 0, "run `python -m jobs.docs` and commit README.md"


def test_readme_shows_the_two_setup_commands():
    text = docs.README.read_text()
    assert "make run" in text and "make test" in text
