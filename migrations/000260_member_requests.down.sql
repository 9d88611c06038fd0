DROP TABLE minutes_reads;
DROP TABLE credit_requests;
DROP TABLE leave_requests;
