DROP TABLE IF EXISTS plan_reminders;
DROP TABLE IF EXISTS plan_answers;
DROP TABLE IF EXISTS plan_tasks;
