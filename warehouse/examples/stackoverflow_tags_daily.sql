-- New questions per week, per framework, at each snapshot
SELECT framework, snapshot_date, sum(question_count) AS questions,
       sum(questions_per_week) AS questions_per_week
FROM stackoverflow_tags_daily GROUP BY ALL ORDER BY framework, snapshot_date;
