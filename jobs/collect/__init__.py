"""The collect job and what it collects.

- `jobs.collect.sources`: the sources `dltrends collect --source` knows, and which items each
  fetches from the registry;
- `jobs.collect.run`: the job itself (collector -> raw landing -> typed tables -> run log);
- `jobs.collect.backfill`: the same run over a source's full history (`dltrends backfill`).
"""
