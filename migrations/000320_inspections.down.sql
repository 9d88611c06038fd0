DROP TABLE inspection_findings;
DROP TABLE inspection_branches;
DROP TABLE inspection_items;
DROP TABLE inspections;
