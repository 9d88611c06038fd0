-- Back to the date of the meeting that voted, kept on the 'converted' event.
UPDATE members m
   SET converted_on = e.occurred_on, version = m.version + 1, updated_at = now()
  FROM (SELECT DISTINCT ON (member_id) member_id, occurred_on FROM member_events
         WHERE kind = 'converted' ORDER BY member_id, occurred_on DESC) e
 WHERE e.member_id = m.id AND m.converted_on = coalesce(m.probation_extended_to, (m.admitted_on + interval '1 year')::date)
   AND m.converted_on <> e.occurred_on;
