-- Question: Which provinces' agencies refused the most requests as state secrets (属于国家秘密) in 2020-2023?
-- Total column of each current report (the latest version of a revised one); an unknown province is NULL.
SELECT
    province,
    sum(denied_state_secret) AS refused_as_state_secret,
    count(DISTINCT agency_id) AS agencies_stating_it,
    sum(handled_total) AS handled_total_of_those_reports
FROM v_request_outcomes
WHERE breakdown = '' AND is_current AND report_year BETWEEN 2020 AND 2023 AND denied_state_secret IS NOT NULL
GROUP BY province
ORDER BY refused_as_state_secret DESC, province;
