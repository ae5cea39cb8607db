-- The marks of one group's journal: what the journal screen loads for the grid.
SELECT a.lesson_id, l.held_on, a.student_id, a.status, a.reason, a.version
  FROM ej.attendance a
  JOIN ej.lesson l ON l.id = a.lesson_id
 WHERE a.group_id = %(group_id)s
 ORDER BY l.held_on, a.student_id
