"""The cross-framework benchmark runner behind `dltrends bench` (source name "bench").

- `suite.py`: the benchmark cases, defined once (shapes, dtypes, FLOPs);
- `adapters/<name>.py`: one file per framework, loaded by the worker inside its environment;
- `worker.py`, `measure.py`: run inside each isolated environment (standard library only);
- `envs.py`, `adapters_index.py`, `pins.toml`: specs -> cached environments, pins as data;
- `fingerprint.py`: the machine and environment facts recorded with every run;
- `runner.py`: drives it all and yields one RawItem per spec (it never touches DuckDB).
"""
