-- Stars on the first day of each year, and whether the count is exact or estimated
SELECT framework, repo, day, stars, method FROM star_history
WHERE day = date_trunc('year', day) ORDER BY repo, day;
