-- Question: Who asks for government information (natural persons or which kind of organization), and how
-- are their requests answered? Sums per applicant column over the current reports that fill it in.
SELECT
    breakdown AS applicant,
    count(*) AS reports,
    sum(received) AS received,
    sum(granted) AS granted,
    sum(partially_granted) AS partially_granted,
    sum(unavailable_not_held) AS not_held_by_agency,
    sum(handled_total) AS handled_total
FROM v_request_outcomes
WHERE breakdown <> '' AND is_current
GROUP BY breakdown
ORDER BY received DESC NULLS LAST, applicant;
