-- Tracked packages per framework and role
SELECT framework, role, count(*) AS packages, list(package) FROM packages
GROUP BY ALL ORDER BY framework, role;
