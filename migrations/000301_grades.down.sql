DROP TABLE IF EXISTS secretary_reports;
DROP TABLE IF EXISTS consolidation_notes;
DROP TABLE IF EXISTS consolidation_measures;
DROP TABLE IF EXISTS consolidation_plans;
DROP TABLE IF EXISTS branch_grades;
DROP TABLE IF EXISTS grade_levels;
