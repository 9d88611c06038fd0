-- Built-in rule citations corrected against ../shared/guide/rules.md (issue 18).
-- A citation that was wrong from the start is a correction, not a new
-- version of the rule: its numbers and dates stay, so it is fixed in place,
-- and only where the stored text is still the shipped default (an agency
-- that wrote its own source keeps it).
UPDATE rules SET source = c.new
FROM (VALUES
  ('general_meeting', '《中国共产党支部工作条例（试行）》第十四条', '《中国共产党支部工作条例（试行）》第十一条'),
  ('party_lecture', '《中国共产党支部工作条例（试行）》第十四条；地方规定', '《中国共产党支部工作条例（试行）》第十五条（党委书记每年至少讲1次党课）；每季度1次为通行做法，非条例原文'),
  ('org_life_meeting', '《中国共产党党员教育管理工作条例》第十七条', '《中国共产党支部工作条例（试行）》第十七条'),
  ('appraisal', '《中国共产党党员教育管理工作条例》第十八条', '《中国共产党支部工作条例（试行）》第十八条'),
  ('study_hours_committee', '《中国共产党党员教育管理工作条例》第二十条', '《全国党员教育培训工作规划》（2019—2023年；2024—2028年）'),
  ('committee_term', '《中国共产党党和国家机关基层组织工作条例》（2019）', '《中国共产党支部工作条例（试行）》第二十一条；《中国共产党党和国家机关基层组织工作条例》第七条'),
  ('probation', '《中国共产党章程》第七条', '《中国共产党章程》第七条；《中国共产党发展党员工作细则》第三十二条'),
  ('rectification', '《中国共产党党员教育管理工作条例》第十七条', '《中国共产党支部工作条例（试行）》第十七条；《县以上党和国家机关党员领导干部民主生活会若干规定》'),
  ('branch_size', '《中国共产党支部工作条例（试行）》第五条', '《中国共产党支部工作条例（试行）》第四条')
) AS c(code, old, new)
WHERE rules.builtin AND rules.code = c.code AND rules.source = c.old;
