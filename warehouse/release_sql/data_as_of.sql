-- The date a release's data is as of: the end of the last published load that published reports (a nightly
-- run that found nothing new changes no data, so it does not move the date), else the latest publication
-- date of a report (warehouses built without audit rows). Derived from the data, so a release of the same
-- warehouse carries the same date (CITATION.cff's date-released, the Stata file's time stamp).
SELECT coalesce(
    (SELECT max(finished_at)::DATE FROM load_audit WHERE published AND reports_loaded > 0),
    (SELECT max(published_on) FROM fact_report)) AS as_of;
