DROP FUNCTION in_pipeline(text, text);
ALTER TABLE member_events DROP CONSTRAINT member_events_kind_check;
DELETE FROM member_events WHERE kind = 'probation_cancelled';
ALTER TABLE member_events ADD CONSTRAINT member_events_kind_check
    CHECK (kind IN ('created', 'applied', 'activist', 'target', 'admitted', 'converted', 'probation_extended', 'transferred_in', 'transferred_out', 'moved', 'status_changed', 'updated'));
ALTER TABLE members DROP CONSTRAINT members_party_status_check;
UPDATE members SET party_status = 'struck_off' WHERE party_status = 'cancelled';
ALTER TABLE members ADD CONSTRAINT members_party_status_check
    CHECK (party_status IN ('normal', 'suspended', 'struck_off', 'expelled', 'deceased', 'transferred_out'));
DROP TABLE transfer_letters;
DROP TABLE recruit_steps;
DROP TABLE recruit_rules;
