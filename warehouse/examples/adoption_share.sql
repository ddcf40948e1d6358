-- Share of the tracked ecosystem on the first day of each month
SELECT day, framework, round(100 * share_28d, 1) AS pct FROM adoption_share
WHERE day(day) = 1 ORDER BY day, pct DESC;
