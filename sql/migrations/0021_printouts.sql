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

CREATE OR REPLACE FUNCTION ej.academic_year(p_on date) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$ SELECT (extract(year FROM p_on) - CASE WHEN extract(month FROM p_on) < 8 THEN 1 ELSE 0 END)::integer $$;

CREATE OR REPLACE FUNCTION ej.report_numeric(p_iteration_id bigint DEFAULT NULL, p_as_of date[] DEFAULT NULL)
    RETURNS TABLE (level text, organization_id bigint, quantum_id bigint, quantum_name text,
                   group_id bigint, group_name text, as_of date, groups integer, measure_no integer,
                   measure text, students integer)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    WITH y AS (
        SELECT ej.academic_year(coalesce((SELECT i.starts_on FROM ej.iteration i WHERE i.id = p_iteration_id),
                                         ej.today())) AS y
    ), dates AS (
        SELECT DISTINCT d AS as_of
          FROM y, unnest(coalesce(p_as_of, ARRAY[make_date(y.y, 10, 1), make_date(y.y + 1, 1, 1),
                                                 make_date(y.y + 1, 6, 1)])) d
         WHERE d <= ej.today()
    ), grp AS (
        SELECT r.organization_id, r.quantum_id, r.quantum_name, r.group_id, r.group_name, d.as_of
          FROM ej.report_group r
          JOIN dates d ON d.as_of BETWEEN r.starts_on AND r.ends_on
         WHERE p_iteration_id IS NULL OR r.iteration_id = p_iteration_id
    ), member AS (
        SELECT g.*, e.student_id, s.sex, substring(s.school_class FROM '^[0-9]+')::integer AS class_no, yr.years
          FROM grp g
          LEFT JOIN ej.enrollment e ON e.group_id = g.group_id AND e.enrolled_on <= g.as_of
                                   AND (e.left_on IS NULL OR e.left_on > g.as_of)
          LEFT JOIN ej.study_group sg ON sg.id = g.group_id
          LEFT JOIN ej.student x ON x.id = e.student_id
          LEFT JOIN LATERAL ej.as_printed(sg.frozen, x) s ON x.id IS NOT NULL  -- an archived term's own copy (0016)
          LEFT JOIN LATERAL (
                SELECT count(DISTINCT ej.academic_year(e2.enrolled_on))::integer AS years
                  FROM ej.enrollment e2
                 WHERE e2.student_id = e.student_id AND e2.enrolled_on <= g.as_of) yr ON e.student_id IS NOT NULL
    ), measured AS (
        SELECT m.organization_id, m.quantum_id, m.quantum_name, m.group_id, m.group_name, m.as_of,
               m.student_id, x.measure_no, x.measure
          FROM member m
         CROSS JOIN LATERAL (VALUES
               (1, 'всего'),
               (CASE m.sex WHEN 'м' THEN 2 ELSE 3 END, CASE m.sex WHEN 'м' THEN 'мальчиков' ELSE 'девочек' END),
               (10 + coalesce(m.class_no, 12), coalesce(m.class_no || ' класс', 'класс не указан')),
               (30 + least(m.years, 3), CASE WHEN m.years >= 3 THEN '3-й год и более' ELSE m.years || '-й год' END)
         ) x(measure_no, measure)
         WHERE x.measure_no = 1 OR m.student_id IS NOT NULL
    )
    SELECT CASE WHEN grouping(m.group_id) = 0 THEN 'group'
                WHEN grouping(m.quantum_id) = 0 THEN 'quantum' ELSE 'organization' END,
           m.organization_id, m.quantum_id, CASE WHEN grouping(m.quantum_id) = 0 THEN min(m.quantum_name) END,
           m.group_id, CASE WHEN grouping(m.group_id) = 0 THEN min(m.group_name) END, m.as_of,
           count(DISTINCT m.group_id)::integer, m.measure_no, m.measure, count(DISTINCT m.student_id)::integer
      FROM measured m
     GROUP BY GROUPING SETS ((m.organization_id, m.as_of, m.measure_no, m.measure),
                             (m.organization_id, m.quantum_id, m.as_of, m.measure_no, m.measure),
                             (m.organization_id, m.quantum_id, m.group_id, m.as_of, m.measure_no, m.measure))
     ORDER BY 2, grouping(m.quantum_id) DESC, 4 NULLS FIRST, grouping(m.group_id) DESC, 6 NULLS FIRST, 9, 7
$$;

-- Text columns added since 0017 (time zone, hard-copy receipt, …) refuse control characters too.
SELECT ej.guard_text_columns();
