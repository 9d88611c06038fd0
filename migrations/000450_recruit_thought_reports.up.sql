-- Thought reports (思想汇报) in a person's recruitment file (issue 20): an
-- applicant, activist, development target or probationary member hands
-- them in over the years, so the step repeats (one row a report) and is a
-- document of the file (入党材料).
ALTER TABLE recruit_steps DROP CONSTRAINT recruit_steps_kind_check;
ALTER TABLE recruit_steps ADD CONSTRAINT recruit_steps_kind_check
    CHECK (kind IN ('application', 'talk', 'recommendation', 'activist', 'activist_filed',
                    'assessment', 'target', 'target_filed', 'introducers', 'political_review', 'training',
                    'branch_review', 'pre_review', 'notice', 'form_issued', 'admission_meeting', 'higher_talk',
                    'approval', 'oath', 'probation_assessment', 'conversion_application', 'conversion_meeting',
                    'conversion_approval', 'thought_report'));
DROP INDEX recruit_steps_once_uq;
CREATE UNIQUE INDEX recruit_steps_once_uq ON recruit_steps (member_id, kind)
 WHERE kind NOT IN ('assessment', 'probation_assessment', 'conversion_meeting', 'conversion_approval', 'thought_report');
