-- Full membership dates from the day probation ends (预备期满之日:
-- 《中国共产党发展党员工作细则》第三十四条, 党章 第七条), not from the day of
-- the 支部大会 that voted, and 党龄 counts from it. Conversions recorded in
-- Zhibu (a 'converted' event dated the member's converted_on) move to the
-- end of probation; the meeting's date stays on the event. Dates brought in
-- by import, with no such event, are kept as given.
UPDATE members m
   SET converted_on = coalesce(m.probation_extended_to, (m.admitted_on + interval '1 year')::date),
       version = m.version + 1, updated_at = now()
 WHERE m.converted_on IS NOT NULL AND m.admitted_on IS NOT NULL
   AND m.converted_on <> coalesce(m.probation_extended_to, (m.admitted_on + interval '1 year')::date)
   AND EXISTS (SELECT 1 FROM member_events e
                WHERE e.member_id = m.id AND e.kind = 'converted' AND e.occurred_on = m.converted_on);
