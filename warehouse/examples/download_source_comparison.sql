-- Where do pypistats and clickpy disagree by more than 2 %?
SELECT package, day, category, pypistats, clickpy, round(100 * relative_difference, 1) AS pct
FROM download_source_comparison WHERE relative_difference > 0.02 ORDER BY pct DESC;
