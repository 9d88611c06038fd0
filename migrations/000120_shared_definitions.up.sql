-- Two definitions every area uses, written once here so that they cannot
-- drift apart again (they were written out in eight packages, and "the
-- current term" three ways that disagreed on the day a term ends).
--
-- A member in good standing: a full or probationary member whose party
-- status is normal. A member transferred out, deceased, struck off,
-- expelled or suspended is not; applicants, activists and targets are not
-- yet members. Plain SQL and IMMUTABLE, so the planner inlines it and an
-- index on the columns still applies.
CREATE FUNCTION in_good_standing(p_category text, p_party_status text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT p_category IN ('full', 'probationary') AND p_party_status = 'normal' $$;

-- The committee term of each organisation in office on a day: elected on
-- or before the day and not ended before it (ended_on is the term's last
-- day, so a term ending today is still in office today). When a new term
-- is elected on the day the old one ends, the new one is in office; terms
-- elected later than the day are not yet. A single SELECT, so the planner
-- inlines it and a condition on org_id reaches the index.
CREATE FUNCTION terms_on(p_day date) RETURNS SETOF committee_terms
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
SELECT DISTINCT ON (t.org_id) t.*
  FROM committee_terms t
 WHERE t.elected_on <= p_day AND (t.ended_on IS NULL OR t.ended_on >= p_day)
 ORDER BY t.org_id, t.elected_on DESC, t.term_no DESC
$$;
