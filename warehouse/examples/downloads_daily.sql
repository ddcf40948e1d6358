-- Last 30 days of every JAX package, companions included, by role
SELECT package, role, sum(downloads) AS downloads FROM downloads_daily
WHERE framework = 'jax' AND category = 'without_mirrors' AND day > current_date - 30
GROUP BY ALL ORDER BY downloads DESC;
