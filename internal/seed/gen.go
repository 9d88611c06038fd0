package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/dates"
	"zhibu/internal/i18n"
	"zhibu/internal/pii"
)

// gen builds the demo agency inside one transaction.
type gen struct {
	tx     pgx.Tx
	rnd    *rand.Rand
	sealer *pii.Sealer
	today  time.Time
	hash   string
	seq    int

	// coreOnly limits loading to the first coreSteps steps, which use only
	// the tables of the first schema (migrations 1–3); the migration test
	// loads them at every older schema version and migrates forward.
	coreOnly bool

	committeeID int64
	branches    []*branch
}

type branch struct {
	id         int64
	name, dept string
	size       int
	groups     []string
	groupIDs   []int64
	diligence  float64 // chance that each required meeting is held
	termAgo    time.Duration
	members    []*member
	committee  []*member
}

type member struct {
	id         int64
	branch     *branch
	groupID    int64
	category   string
	admittedOn time.Time
	lostTouch  bool
}

const day = 24 * time.Hour

// coreSteps counts the steps that need only the first schema.
const coreSteps = 9

func (g *gen) run(ctx context.Context) error {
	steps := []func(context.Context) error{g.orgs, g.members, g.terms, g.accounts, g.meetings, g.lifeMeetings, g.appraisals, g.talks, g.commendations, g.leadGroups, g.plannedMeetings, g.dues, g.reviews, g.recruitment, g.recruit2, g.recruit3, g.discipline, g.workbench, g.plans, g.issue23b, g.study, g.corrections, g.selfadmin, g.breaches, g.files, g.rulescope}
	if g.coreOnly {
		steps = steps[:coreSteps]
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (g *gen) orgs(ctx context.Context) error {
	est := time.Date(2015, 3, 1, 0, 0, 0, 0, time.UTC)
	if err := g.tx.QueryRow(ctx, `INSERT INTO organisations (kind, name, code, established_on) VALUES ('committee', '示范机关党委', $1, $2) RETURNING id`, demoCode, est).Scan(&g.committeeID); err != nil {
		return fmt.Errorf("committee: %w", err)
	}
	specs := []struct {
		general string
		list    []*branch
	}{
		{"第一党总支", []*branch{
			{name: "办公室党支部", dept: "办公室", size: 30, groups: []string{"第一党小组", "第二党小组"}, diligence: 1, termAgo: 400 * day},
			{name: "人事处党支部", dept: "人事处", size: 22, diligence: 0.95, termAgo: 700 * day},
			{name: "财务处党支部", dept: "财务处", size: 18, diligence: 0.55, termAgo: 1180 * day},
		}},
		{"第二党总支", []*branch{
			{name: "政策法规处党支部", dept: "政策法规处", size: 28, groups: []string{"法规党小组", "政策党小组"}, diligence: 1, termAgo: 200 * day},
			{name: "综合规划处党支部", dept: "综合规划处", size: 24, diligence: 0.5, termAgo: 960 * day},
			{name: "信息中心党支部", dept: "信息中心", size: 28, diligence: 0.9, termAgo: 500 * day},
		}},
	}
	for _, s := range specs {
		var gbID int64
		if err := g.tx.QueryRow(ctx, `INSERT INTO organisations (parent_id, kind, name, established_on) VALUES ($1, 'general_branch', $2, $3) RETURNING id`, g.committeeID, s.general, est).Scan(&gbID); err != nil {
			return fmt.Errorf("general branch: %w", err)
		}
		if _, err := g.tx.Exec(ctx, `INSERT INTO committee_terms (org_id, term_no, elected_on, due_on) VALUES ($1, 3, $2, $3)`, gbID, g.today.Add(-500*day), g.today.Add(-500*day).AddDate(3, 0, 0)); err != nil {
			return err
		}
		for _, b := range s.list {
			if err := g.tx.QueryRow(ctx, `INSERT INTO organisations (parent_id, kind, name, established_on) VALUES ($1, 'branch', $2, $3) RETURNING id`, gbID, b.name, est.AddDate(0, 1, 0)).Scan(&b.id); err != nil {
				return fmt.Errorf("branch %s: %w", b.name, err)
			}
			for _, gname := range b.groups {
				var id int64
				if err := g.tx.QueryRow(ctx, `INSERT INTO organisations (parent_id, kind, name, established_on) VALUES ($1, 'group', $2, $3) RETURNING id`, b.id, gname, est.AddDate(0, 2, 0)).Scan(&id); err != nil {
					return fmt.Errorf("group: %w", err)
				}
				b.groupIDs = append(b.groupIDs, id)
			}
			g.branches = append(g.branches, b)
		}
	}
	return nil
}

func (g *gen) date(from, to time.Time) time.Time {
	span := int(to.Sub(from) / day)
	if span <= 0 {
		return from
	}
	return from.Add(time.Duration(g.rnd.IntN(span)) * day)
}

func (g *gen) name(male bool) string {
	s := string(surnames[g.rnd.IntN(len(surnames))])
	pool := givenFemale
	if male {
		pool = givenMale
	}
	s += string(pool[g.rnd.IntN(len(pool))])
	if g.rnd.IntN(3) > 0 {
		s += string(pool[g.rnd.IntN(len(pool))])
	}
	return s
}

func (g *gen) members(ctx context.Context) error {
	educations := []string{"postgraduate", "university", "university", "university", "college"}
	for _, b := range g.branches {
		for i := 0; i < b.size; i++ {
			cat := "full"
			switch r := i * 100 / b.size; {
			case i < 7:
			case r >= 94:
				cat = "applicant"
			case r >= 89:
				cat = "activist"
			case r >= 85:
				cat = "target"
			case r >= 77:
				cat = "probationary"
			}
			male := g.rnd.IntN(100) < 58
			gender := "female"
			if male {
				gender = "male"
			}
			birth := g.date(time.Date(1966, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2001, 12, 31, 0, 0, 0, 0, time.UTC))
			var applied, activist, target, admitted, converted *time.Time
			set := func(t time.Time) *time.Time { return &t }
			switch cat {
			case "full":
				a := birth.AddDate(20+g.rnd.IntN(4), g.rnd.IntN(12), 0)
				if a.After(g.today.AddDate(-4, 0, 0)) {
					a = g.today.AddDate(-4, -g.rnd.IntN(12), 0)
				}
				applied = set(a)
				activist = set(a.AddDate(0, 6, g.rnd.IntN(20)))
				target = set(activist.AddDate(1, 1, 0))
				admitted = set(target.AddDate(0, 4, 0))
				converted = set(dates.AddYears(*admitted, 1))
			case "probationary":
				ad := g.today.AddDate(0, -3-g.rnd.IntN(10), -g.rnd.IntN(25))
				if i%5 == 0 {
					ad = g.today.AddDate(-1, -1, 0) // conversion overdue
				}
				admitted = set(ad)
				target = set(ad.AddDate(0, -5, 0))
				activist = set(target.AddDate(-1, -1, 0))
				applied = set(activist.AddDate(0, -7, 0))
			case "target":
				target = set(g.today.AddDate(0, -2, 0))
				activist = set(target.AddDate(-1, -2, 0))
				applied = set(activist.AddDate(0, -6, 0))
			case "activist":
				activist = set(g.today.AddDate(0, -8+g.rnd.IntN(4), 0))
				applied = set(activist.AddDate(0, -5, 0))
			case "applicant":
				applied = set(g.today.AddDate(0, -1-g.rnd.IntN(3), 0))
			}
			g.seq++
			idNo := pii.MakeIDNumber(areaCodes[g.rnd.IntN(len(areaCodes))], birth, 100+g.seq%800*1+boolInt(male))
			// An 11-digit mobile, 13x–19x (the draw is the one the data set
			// always made, so the rest of it stays as it was).
			phone := fmt.Sprintf("1%d%09d", 3+g.rnd.IntN(60)%7, g.rnd.IntN(1_000_000_000))
			var groupID *int64
			if len(b.groupIDs) > 0 {
				groupID = &b.groupIDs[i%len(b.groupIDs)]
			}
			job := "处长" // the branch's head of department
			if i > 0 {
				job = jobTitles[g.rnd.IntN(len(jobTitles))]
			}
			m := &member{branch: b, category: cat}
			if groupID != nil {
				m.groupID = *groupID
			}
			if admitted != nil {
				m.admittedOn = *admitted
			}
			err := g.tx.QueryRow(ctx, `
INSERT INTO members (branch_id, group_id, name, gender, ethnicity, birth_date, native_place, education,
       id_number_enc, id_number_hash, id_number_tail, phone_enc, phone_tail, department, job_title, category,
       applied_on, activist_on, target_on, admitted_on, converted_on)
VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21) RETURNING id`,
				b.id, groupID, g.name(male), gender, ethnicities[g.rnd.IntN(len(ethnicities))], birth,
				nativePlaces[g.rnd.IntN(len(nativePlaces))], educations[g.rnd.IntN(len(educations))],
				g.sealer.Seal(idNo), g.sealer.Hash(idNo), pii.Tail(idNo, 4), g.sealer.Seal(phone), pii.Tail(phone, 4),
				b.dept, job, cat, applied, activist, target, admitted, converted).Scan(&m.id)
			if err != nil {
				return fmt.Errorf("member: %w", err)
			}
			if _, err := g.tx.Exec(ctx, `INSERT INTO member_events (member_id, kind, occurred_on, to_org_id, details) VALUES ($1, 'created', $2, $3, '')`, m.id, g.today.AddDate(-1, 0, 0), b.id); err != nil {
				return err
			}
			if admitted != nil {
				if _, err := g.tx.Exec(ctx, `INSERT INTO member_events (member_id, kind, occurred_on, to_org_id) VALUES ($1, 'admitted', $2, $3)`, m.id, *admitted, b.id); err != nil {
					return err
				}
			}
			if converted != nil {
				if _, err := g.tx.Exec(ctx, `INSERT INTO member_events (member_id, kind, occurred_on, to_org_id) VALUES ($1, 'converted', $2, $3)`, m.id, *converted, b.id); err != nil {
					return err
				}
			}
			b.members = append(b.members, m)
		}
		// One member of each struggling branch has not taken part for months.
		if b.diligence < 0.6 {
			b.members[b.size/2].lostTouch = true
		}
		b.committee = b.members[:5]
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

var posts = []string{"secretary", "deputy", "organisation", "publicity", "discipline"}

func (g *gen) terms(ctx context.Context) error {
	var agencyTerm int64
	elected := g.today.AddDate(-2, -3, 0)
	if err := g.tx.QueryRow(ctx, `INSERT INTO committee_terms (org_id, term_no, elected_on, due_on) VALUES ($1, 4, $2, $3) RETURNING id`, g.committeeID, elected, elected.AddDate(5, 0, 0)).Scan(&agencyTerm); err != nil {
		return err
	}
	// The agency committee: the second member of each of the first three branches.
	for i, b := range g.branches[:3] {
		post := []string{"secretary", "deputy", "member"}[i]
		if _, err := g.tx.Exec(ctx, `INSERT INTO committee_posts (term_id, member_id, post) VALUES ($1, $2, $3)`, agencyTerm, b.members[1].id, post); err != nil {
			return err
		}
	}
	for _, b := range g.branches {
		el := g.today.Add(-b.termAgo)
		var termID int64
		if err := g.tx.QueryRow(ctx, `INSERT INTO committee_terms (org_id, term_no, elected_on, due_on) VALUES ($1, 2, $2, $3) RETURNING id`, b.id, el, el.AddDate(3, 0, 0)).Scan(&termID); err != nil {
			return err
		}
		for i, m := range b.committee {
			if _, err := g.tx.Exec(ctx, `INSERT INTO committee_posts (term_id, member_id, post) VALUES ($1, $2, $3)`, termID, m.id, posts[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

func (g *gen) accounts(ctx context.Context) error {
	first := g.branches[0]
	type acct struct {
		user, display, role string
		member              *member
		org                 int64
	}
	list := []acct{
		{"admin", "系统管理员", "sysadmin", nil, 0},
		{"security", "安全管理员", "secadmin", nil, 0},
		{"auditor", "审计管理员", "auditadmin", nil, 0},
		{"reviewer", "", "reviewer", g.branches[1].members[1], g.committeeID},
		{"secretary", "", "secretary", first.members[0], first.id},
		{"member", "", "member", first.members[8], 0},
	}
	for _, a := range list {
		var memberID *int64
		if a.member != nil {
			memberID = &a.member.id
		}
		var id int64
		err := g.tx.QueryRow(ctx, `
INSERT INTO accounts (username, display_name, password_hash, member_id, must_change_password, demo)
VALUES ($1, coalesce(NULLIF($2, ''), (SELECT name FROM members WHERE id = $3)), $4, $3, false, true) RETURNING id`,
			a.user, a.display, memberID, g.hash).Scan(&id)
		if err != nil {
			return fmt.Errorf("account %s: %w", a.user, err)
		}
		var org *int64
		if a.org != 0 {
			org = &a.org
		}
		if _, err := g.tx.Exec(ctx, `INSERT INTO account_roles (account_id, role, org_id) VALUES ($1, $2, $3)`, id, a.role, org); err != nil {
			return err
		}
		if a.member != nil && a.role != "member" {
			if _, err := g.tx.Exec(ctx, `INSERT INTO account_roles (account_id, role) VALUES ($1, 'member')`, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// due lists the members expected at a branch-wide meeting on day t.
func (b *branch) due(t time.Time) []*member {
	var out []*member
	for _, m := range b.members {
		if (m.category == "full" || m.category == "probationary") && !m.admittedOn.After(t) {
			out = append(out, m)
		}
	}
	return out
}

type meetingSpec struct {
	kind      string
	orgID     int64
	at        time.Time
	hours     float64
	form      string
	attendees []*member
}

func (g *gen) meetings(ctx context.Context) error {
	start := time.Date(g.today.Year(), g.today.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -11, 0)
	var attRows, creditRows [][]any
	for _, b := range g.branches {
		for month := start; !month.After(g.today); month = month.AddDate(0, 1, 0) {
			quarterEnd := int(month.Month())%3 == 0
			var specs []meetingSpec
			at := func(d, h int) time.Time { return month.AddDate(0, 0, d-1).Add(time.Duration(h) * time.Hour) }
			specs = append(specs,
				meetingSpec{kind: "committee", orgID: b.id, at: at(3+g.rnd.IntN(4), 1), attendees: b.committee},
				meetingSpec{kind: "party_day", orgID: b.id, at: at(10+g.rnd.IntN(5), 6), hours: 2, attendees: b.due(month)},
				meetingSpec{kind: "study", orgID: b.id, at: at(18+g.rnd.IntN(5), 7), hours: 2, form: []string{"central", "lecture"}[g.rnd.IntN(2)], attendees: b.due(month)},
			)
			if quarterEnd {
				specs = append(specs,
					meetingSpec{kind: "general", orgID: b.id, at: at(20, 7), hours: 1, attendees: b.due(month)},
					meetingSpec{kind: "lecture", orgID: b.id, at: at(24, 6), hours: 2, attendees: b.due(month)},
				)
			}
			for gi, gid := range b.groupIDs {
				var gm []*member
				for _, m := range b.due(month) {
					if m.groupID == gid {
						gm = append(gm, m)
					}
				}
				specs = append(specs, meetingSpec{kind: "group", orgID: gid, at: at(14+gi, 7), attendees: gm})
			}
			for _, s := range specs {
				if s.at.After(g.today.Add(14 * day)) {
					continue
				}
				if g.rnd.Float64() > b.diligence {
					continue
				}
				a, c, err := g.meeting(ctx, b, s)
				if err != nil {
					return err
				}
				attRows = append(attRows, a...)
				creditRows = append(creditRows, c...)
			}
		}
	}
	if _, err := g.tx.CopyFrom(ctx, pgx.Identifier{"attendance"}, []string{"meeting_id", "member_id", "status", "reason", "hours"}, pgx.CopyFromRows(attRows)); err != nil {
		return fmt.Errorf("attendance: %w", err)
	}
	if _, err := g.tx.CopyFrom(ctx, pgx.Identifier{"study_credits"}, []string{"member_id", "meeting_id", "hours", "kind", "earned_on"}, pgx.CopyFromRows(creditRows)); err != nil {
		return fmt.Errorf("study credits: %w", err)
	}
	// A few individual online courses.
	for _, b := range g.branches[:2] {
		for _, m := range b.members[5:9] {
			if _, err := g.tx.Exec(ctx, `INSERT INTO study_credits (member_id, hours, kind, earned_on, evidence) VALUES ($1, 4, 'online', $2, '网络学院结业证书')`, m.id, g.today.AddDate(0, -2, 0)); err != nil {
				return err
			}
		}
	}
	return nil
}

// meeting inserts one meeting and returns its attendance and credit rows.
func (g *gen) meeting(ctx context.Context, b *branch, s meetingSpec) (att, credits [][]any, err error) {
	list := topics[s.kind]
	topic := list[g.rnd.IntN(len(list))]
	// The hour offsets above count from 08:30 China time.
	startsAt := time.Date(s.at.Year(), s.at.Month(), s.at.Day(), 8+s.at.Hour(), 30, 0, 0, i18n.Shanghai)
	endsAt := startsAt.Add(90 * time.Minute)
	status := "submitted"
	enteredAt := endsAt.Add(2 * time.Hour)
	late := false
	var submittedAt *time.Time
	switch {
	case startsAt.After(time.Now()):
		status = "planned"
		enteredAt = time.Now().Add(-3 * day)
	case g.today.Sub(startsAt) < 10*day && g.rnd.IntN(2) == 0:
		status = "draft"
	default:
		if g.rnd.IntN(25) == 0 {
			enteredAt = endsAt.Add(12 * day)
			late = true
		}
		t := enteredAt.Add(time.Hour)
		submittedAt = &t
	}
	var form *string
	if s.form != "" {
		form = &s.form
	}
	minutes, decisions := "", ""
	if status != "planned" {
		minutes = fmt.Sprintf("会议由支部书记主持。%s。与会党员结合工作实际交流了学习体会，大家一致表示要把学习成果转化为推动工作的实际行动。", topic)
		decisions = "一、按计划推进本月支部工作；二、做好党员思想动态分析；三、下次会议前完成相关学习任务。"
	}
	var host, recorder *int64
	if len(b.committee) >= 3 {
		host, recorder = &b.committee[0].id, &b.committee[2].id
	}
	lecturer := ""
	if s.kind == "lecture" {
		lecturer = "支部书记"
	}
	var id int64
	err = g.tx.QueryRow(ctx, `
INSERT INTO meetings (org_id, kind, topic, starts_at, ends_at, place, host_id, recorder_id, lecturer, agenda, minutes, decisions,
       study_form, study_hours, status, late_entry, entered_at, submitted_at)
VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18) RETURNING id`,
		s.orgID, s.kind, topic, startsAt, endsAt, places[g.rnd.IntN(len(places))], host, recorder, lecturer,
		"1. "+topic+"\n2. 交流发言\n3. 部署下阶段工作", minutes, decisions, form, s.hours, status, late, enteredAt, submittedAt).Scan(&id)
	if err != nil {
		return nil, nil, fmt.Errorf("meeting: %w", err)
	}
	if status == "planned" {
		return nil, nil, nil
	}
	recent := g.today.Sub(startsAt) < 280*day // idle about nine months: past the six of 党章 第九条, so the true count shows
	for _, m := range s.attendees {
		st, reason := "present", ""
		switch r := g.rnd.IntN(100); {
		case m.lostTouch && recent:
			st = "absent"
		case r < 6:
			st, reason = "leave", leaveReasons[g.rnd.IntN(len(leaveReasons))]
		case r < 9:
			st = "absent"
		}
		hours := 0.0
		if st == "present" {
			hours = s.hours
		}
		att = append(att, []any{id, m.id, st, reason, hours})
		if hours > 0 {
			credits = append(credits, []any{m.id, id, hours, "meeting", startsAt.In(i18n.Shanghai)})
		}
	}
	return att, credits, nil
}
