package rules_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"zhibu/internal/apptest"
	"zhibu/internal/i18n"
	"zhibu/internal/rules"
)

// citation is what ../shared/guide/rules.md gives as a rule's source: the
// document and, where rules.md names one, the article, in Chinese and in
// the English catalogue.
type citation struct {
	doc, article     string // as stored (Chinese)
	enDoc, enArticle string // as the English catalogue shows it
}

const (
	branchRegs   = "《中国共产党支部工作条例（试行）》"
	educationReg = "《中国共产党党员教育管理工作条例》"
	constitution = "《中国共产党章程》"
)

// wantCitations holds every built-in rule against rules.md (§3 branch life,
// §4 study hours, §1 probation, §5 the six-month rule). A built-in rule
// missing from this table fails the test, so a new default rule needs its
// citation checked here.
var wantCitations = map[string]citation{
	"general_meeting":       {branchRegs, "第十一条", "Branches (Trial)", "Article 11"},
	"committee_meeting":     {branchRegs, "第十二条", "Branches (Trial)", "Article 12"},
	"committee_quorum":      {branchRegs, "第十二条", "Branches (Trial)", "Article 12"},
	"group_meeting":         {branchRegs, "第十三条", "Branches (Trial)", "Article 13"},
	"party_lecture":         {branchRegs, "第十五条", "Branches (Trial)", "Article 15"},
	"party_day":             {educationReg, "第十六条", "Education and Management", "Article 16"},
	"org_life_meeting":      {branchRegs, "第十七条", "Branches (Trial)", "Article 17"},
	"appraisal":             {branchRegs, "第十八条", "Branches (Trial)", "Article 18"},
	"study_hours_member":    {educationReg, "第二十条", "Education and Management", "Article 20"},
	"study_hours_committee": {"《全国党员教育培训工作规划》", "", "Education and Training of Party Members", ""},
	"committee_term":        {branchRegs, "第二十一条", "Branches (Trial)", "Article 21"},
	"probation":             {constitution, "第七条", "Constitution", "Article 7"},
	"six_months":            {constitution, "第九条", "Constitution", "Article 9"},
	"rectification":         {branchRegs, "第十七条", "Branches (Trial)", "Article 17"},
	"branch_size":           {branchRegs, "第四条", "Branches (Trial)", "Article 4"},
	// --- dues --- (§2, §5)
	"dues_arrears": {constitution, "第九条", "Constitution", "Article 9"},
	"heart_talks":  {branchRegs, "第十九条", "Branches (Trial)", "Article 19"},
}

func TestBuiltinRulesCiteRulesMD(t *testing.T) {
	app := apptest.NewEmpty(t)
	all, err := rules.LoadAll(context.Background(), app.Pool)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range all {
		if !r.Builtin || r.EffectiveTo != nil {
			continue
		}
		seen[r.Code] = true
		want, ok := wantCitations[r.Code]
		if !ok {
			t.Errorf("built-in rule %s has no citation in this test's table (rules.md)", r.Code)
			continue
		}
		if !strings.Contains(r.Source, want.doc+want.article) {
			t.Errorf("rule %s cites %q, want %s%s", r.Code, r.Source, want.doc, want.article)
		}
		zh := i18n.TL(i18n.ZH, "rules.default."+r.Code+".source")
		if zh != r.Source {
			t.Errorf("rule %s: catalogue default %q differs from the stored source %q, so it would not be translated", r.Code, zh, r.Source)
		}
		en := i18n.TL(i18n.EN, "rules.default."+r.Code+".source")
		if !strings.Contains(en, want.enDoc) || (want.enArticle != "" && !regexp.MustCompile(`\b`+want.enArticle+`\b`).MatchString(en)) {
			t.Errorf("rule %s: English source %q, want %s %s", r.Code, en, want.enDoc, want.enArticle)
		}
	}
	for code := range wantCitations {
		if !seen[code] {
			t.Errorf("rule %s of the table is not a built-in rule", code)
		}
	}
}

// TestCitationOfUncertainPractice: where rules.md says a value is practice,
// not the regulation's text, the citation says so.
func TestCitationOfUncertainPractice(t *testing.T) {
	app := apptest.NewEmpty(t)
	r, err := rules.NewStore(app.Pool).Current(context.Background(), "party_lecture")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Source, "通行做法") || !strings.Contains(i18n.TL(i18n.EN, "rules.default.party_lecture.source"), "common practice") {
		t.Errorf("party lecture source %q does not say its quarterly frequency is practice", r.Source)
	}
}
