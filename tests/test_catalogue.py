"""The view catalogue: every public view documented, with examples that run, a topic and a real
command that fills it."""

import shlex

import typer

from jobs.cli import app
from jobs.collect.backfill import BACKFILL_SOURCES
from jobs.collect.sources import SOURCES
from warehouse import catalogue
from warehouse.db import connect, ensure_shape, public_views


def _command(line: str) -> tuple[list[str], object]:
    """The subcommand path and its parsed context; click raises on an unknown command or option."""
    words = shlex.split(line)
    assert words[0] == "dltrends", line
    command, path, args = typer.main.get_command(app), [], words[1:]
    while hasattr(command, "commands"):  # a group: the next word names its subcommand
        assert args and args[0] in command.commands, f"{line}: no command {args[:1]}"
        path.append(args[0])
        command, args = command.commands[args[0]], args[1:]
    return path, command.make_context(" ".join(["dltrends", *path]), args)


def test_every_public_view_is_in_the_catalogue_with_description_examples_topic_and_fill():
    con = connect(":memory:")
    ensure_shape(con)
    views = public_views(con)
    for view in views:  # every example runs against the current schema
        for example in catalogue.view_examples(view):
            con.execute(example.sql).fetchall()
    con.close()
    docs = catalogue.catalogue()
    assert list(docs) == views
    assert set(catalogue.FILL) == set(views)
    for doc in docs.values():
        assert doc.description, doc.name
        assert [c.name for c in doc.columns if not c.description] == [], doc.name
        assert doc.examples and all(e.title and e.sql.startswith("--") for e in doc.examples), doc.name
        assert doc.topic in catalogue.TOPICS, doc.name
        assert doc.fill, doc.name


def test_every_fill_command_is_a_real_command():
    known = {("collect",): set(SOURCES), ("backfill",): set(BACKFILL_SOURCES)}
    for view, commands in catalogue.FILL.items():
        for line in commands:
            path, ctx = _command(line)
            if tuple(path) in known:
                sources = ctx.params["source"]
                sources = [sources] if isinstance(sources, str) else list(sources or [])
                assert set(sources) <= known[tuple(path)], f"{view}: {line}"
                assert sources or line == catalogue.COLLECT, f"{view}: {line}"


def test_command_for_merges_collect_sources_and_keeps_the_other_commands_as_alternatives():
    assert catalogue.command_for("releases") == "dltrends collect --source pypi"
    assert catalogue.command_for("releases", "star_history", "latest_release_vulnerabilities") \
        == "dltrends collect --source pypi --source github --source github-history --source osv"
    assert catalogue.command_for("framework_downloads_daily") \
        == "dltrends collect --source pypistats` / `dltrends backfill --source clickpy"
    assert catalogue.command_for("source_status") == "dltrends collect"
    assert catalogue.command_for("benchmark_results").startswith("dltrends bench run --spec ")


def test_a_published_file_reads_its_own_views():
    con = connect(":memory:")
    ensure_shape(con)
    con.execute("CREATE VIEW main.extra AS SELECT 1 AS one")
    docs = catalogue.catalogue(con)
    con.close()
    assert docs["extra"].columns[0].name == "one" and docs["extra"].description == ""
    assert docs["extra"].topic == catalogue.OTHER_TOPIC and docs["extra"].examples == ()
    assert docs["releases"] == catalogue.catalogue()["releases"]
