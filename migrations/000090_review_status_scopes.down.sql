DROP INDEX branch_status_narrow_idx;
DROP INDEX branch_status_stale_idx;
DROP TRIGGER branch_status_branches ON organisations;
DROP FUNCTION branch_status_branches_changed();
DROP TABLE branch_status_summaries;
DROP TABLE branch_status_marks;
DROP TABLE branch_status_scopes;
