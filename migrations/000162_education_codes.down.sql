UPDATE members SET education = 'secondary' WHERE education IN ('high_school', 'junior');
UPDATE members SET education = '' WHERE education = 'other';
ALTER TABLE members DROP CONSTRAINT members_education_check;
ALTER TABLE members ADD CONSTRAINT members_education_check
    CHECK (education IN ('', 'postgraduate', 'university', 'college', 'secondary', 'primary'));
