DROP TABLE plan_answer_files;
