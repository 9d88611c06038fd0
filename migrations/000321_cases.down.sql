DROP TABLE case_meetings;
DROP TABLE cases;
DROP TABLE vanguard_members;
DROP TABLE vanguard_posts;
