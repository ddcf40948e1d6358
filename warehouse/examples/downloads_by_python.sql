-- Can this framework drop Python 3.9? Its share of downloads per month
SELECT framework, date_trunc('month', day) AS month,
       sum(downloads) FILTER (WHERE python_version = '3.9') / sum(downloads) AS py39_share
FROM downloads_by_python WHERE role = 'primary' GROUP BY ALL ORDER BY framework, month;
