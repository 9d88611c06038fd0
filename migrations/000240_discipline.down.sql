DROP TABLE election_candidates;
DROP TABLE elections;
DROP TABLE disposal_steps;
DROP TABLE disposal_cases;
DROP FUNCTION has_vote(bigint, date);
DROP FUNCTION sanction_blocks_commend(bigint, date);
DROP TABLE sanctions;
DROP TABLE discipline_settings;
DROP INDEX talks_reminders_open_idx;
ALTER TABLE talks
    DROP CONSTRAINT talks_admonish_order,
    DROP CONSTRAINT talks_reminder_fields,
    DROP CONSTRAINT talks_look_again_only_reminder,
    DROP CONSTRAINT talks_outcome_dated,
    DROP CONSTRAINT talks_outcome_after,
    DROP COLUMN kind, DROP COLUMN order_ref, DROP COLUMN problem, DROP COLUMN agreed,
    DROP COLUMN look_again_on, DROP COLUMN outcome, DROP COLUMN outcome_on, DROP COLUMN outcome_note,
    DROP COLUMN version;
