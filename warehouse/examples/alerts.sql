-- The latest alerts, where they were sent and what is still owed
SELECT raised_at, rule, title, sent_to, pending, last_error FROM alerts
WHERE NOT baseline ORDER BY raised_at DESC LIMIT 20;
