-- Each framework's latest day: downloads, 28-day average and growth over a year
SELECT framework, day, downloads, downloads_ma28, yoy_growth, source
FROM framework_downloads_daily
QUALIFY row_number() OVER (PARTITION BY framework ORDER BY day DESC) = 1
ORDER BY downloads_ma28 DESC;
