-- Installers (pip, uv, poetry, ...) of the last 90 days' downloads
SELECT framework, installer, sum(downloads) AS downloads FROM downloads_by_installer
WHERE role = 'primary' AND NOT mirror AND day > current_date - 90
GROUP BY ALL ORDER BY framework, downloads DESC;
