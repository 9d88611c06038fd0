-- Education levels after GB/T 4658-2006 (学历代码), top level: 研究生 (10),
-- 大学本科 (20), 大学专科 (30), 中等职业教育 (40), 普通高中 (60),
-- 初中 (70), 小学 (80), 其他 (90). 'secondary' keeps its rows and now
-- means 中等职业教育 (its label said 中专及高中; 高中 has its own level now).
ALTER TABLE members DROP CONSTRAINT members_education_check;
ALTER TABLE members ADD CONSTRAINT members_education_check
    CHECK (education IN ('', 'postgraduate', 'university', 'college', 'secondary', 'high_school', 'junior', 'primary', 'other'));
