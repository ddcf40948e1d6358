-- Where PaddlePaddle is downloaded from, month by month
SELECT month, country_code, downloads, round(100 * share, 1) AS pct FROM downloads_by_country
WHERE package = 'paddlepaddle' ORDER BY month DESC, downloads DESC LIMIT 10;
