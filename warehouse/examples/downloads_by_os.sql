-- Operating systems of the last 90 days' downloads
SELECT framework, os, sum(downloads) AS downloads FROM downloads_by_os
WHERE role = 'primary' AND day > current_date - 90 GROUP BY ALL ORDER BY framework, downloads DESC;
