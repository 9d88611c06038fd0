DROP TABLE notice_objections;
DROP TABLE notices;
