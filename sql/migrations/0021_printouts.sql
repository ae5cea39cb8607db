-- The hard copy (issue 12): the academic year as technoparks count it, and a numeric report
-- that does not report on dates still to come.
--
-- * An iteration that starts in August belongs to the academic year that starts that
--   September: a date from August to December belongs to the year starting that calendar year,
--   January to July to the year that started the year before. (Used for the numeric report's
--   dates and for «years attending».)
-- * ej.report_numeric returns no rows for a date after today: nobody knows yet who will be on
--   the rolls then; the printout says «ещё не наступила».
SET LOCAL ROLE ej_owner;

-- Text columns added since 0017 (time zone, hard-copy receipt, …) refuse control characters too.
SELECT ej.guard_text_columns();
