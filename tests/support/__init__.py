"""What the tests (and perf/) share; tests/conftest.py holds the fixtures and imports from here.

- `fakeserver`: a real HTTP server on 127.0.0.1 serving recordings, with injectable faults;
- `pypi`: the recorded PyPI project JSON and serving it;
- `settings`: the test registry and settings that point every collector at a fake server;
- `clock`: the frozen "now" of the recordings, a noon of a given day, a frozen clock whose sleep
  moves time on;
- `db`: reading rows and whole snapshots back from a warehouse file;
- `github`, `github_repos`: the fake GitHub and the recorded or generated repos it serves;
- `downloads`, `mlperf`, `signals`: the other sources' fixtures on the fake server;
- `ops`: the operations tests' PyPI by generation, fake SMTP, kill-9 trial and CLI processes;
- `dashboard`, `browser`: opening the dashboard under AppTest, and the real-browser helpers.
"""
