package benchdata

import (
	"fmt"
	"time"

	"zhibu/internal/i18n"
	"zhibu/internal/pii"
)

func (g *gen) organisations() table {
	return table{"organisations", []string{"id", "parent_id", "kind", "name", "code", "established_on"}, func(e *emitter) {
		for _, o := range g.orgs {
			var parent any
			if o.parent != 0 {
				parent = o.parent
			}
			if !e.row(o.id, parent, o.kind, o.name, nil, o.est) {
				return
			}
		}
	}}
}

// eachTerm calls fn for every organisation's current committee term, in
// id order (terms are numbered from 1 in that order).
func (g *gen) eachTerm(fn func(id int64, o *org, b *branch, elected time.Time) bool) {
	var id int64
	bi := 0
	for i, o := range g.orgs {
		if o.kind == "group" {
			continue
		}
		id++
		r := g.rng(rTerm, int64(i))
		// About one term in five is overdue (elected more than 3 years ago).
		elected := g.cfg.Until.AddDate(0, 0, -r.IntN(1400))
		var b *branch
		if o.kind == "branch" {
			b = g.branches[bi]
			bi++
		}
		if !fn(id, o, b, elected) {
			return
		}
	}
}

func (g *gen) terms() table {
	return table{"committee_terms", []string{"id", "org_id", "term_no", "elected_on", "due_on"}, func(e *emitter) {
		g.eachTerm(func(id int64, o *org, _ *branch, elected time.Time) bool {
			years := 3
			if o.kind == "committee" {
				years = 5
			}
			return e.row(id, o.id, 1+int(id%4), elected, elected.AddDate(years, 0, 0))
		})
	}}
}

var posts = []string{"secretary", "deputy", "organisation", "publicity", "discipline"}

func (g *gen) posts() table {
	return table{"committee_posts", []string{"term_id", "member_id", "post"}, func(e *emitter) {
		g.eachTerm(func(id int64, _ *org, b *branch, _ time.Time) bool {
			if b == nil {
				return true
			}
			for i := range b.committee {
				if !e.row(id, b.first+int64(i), posts[i]) {
					return false
				}
			}
			return true
		})
	}}
}

var educations = []string{"postgraduate", "university", "university", "university", "college"}

func (g *gen) membersTable() table {
	cols := []string{"id", "branch_id", "group_id", "name", "gender", "ethnicity", "birth_date", "native_place", "education",
		"id_number_enc", "id_number_hash", "id_number_tail", "phone_enc", "phone_tail", "department", "job_title", "category",
		"applied_on", "activist_on", "target_on", "admitted_on", "converted_on"}
	return table{"members", cols, func(e *emitter) {
		for _, b := range g.branches {
			r := g.rng(rMember+100, int64(b.idx))
			dept := fmt.Sprintf("第%05d处室", b.idx+1)
			for i := range b.size {
				id := b.first + int64(i)
				m := &g.members[id-1]
				var group any
				if m.group >= 0 {
					group = b.groups[m.group]
				}
				gender := "female"
				if m.male {
					gender = "male"
				}
				idNo := g.idNumber(id)
				phone := fmt.Sprintf("1%d%09d", 30+r.IntN(60), r.IntN(1_000_000_000))
				job := jobTitles[r.IntN(len(jobTitles))]
				if !e.row(id, b.id, group, g.name(r, m.male), gender, ethnicities[r.IntN(len(ethnicities))], m.birth.time(),
					nativePlaces[r.IntN(len(nativePlaces))], educations[r.IntN(len(educations))],
					g.sealer.Seal(idNo), g.sealer.Hash(idNo), pii.Tail(idNo, 4), g.sealer.Seal(phone), pii.Tail(phone, 4),
					dept, job, categories[m.cat],
					m.applied.date(), m.activist.date(), m.target.date(), m.admit.date(), m.conv.date()) {
					return
				}
			}
		}
	}}
}

// benchAccount is one sign-in account of the benchmark.
type benchAccount struct {
	user   string
	member int64
	role   string
	org    int64
}

func (g *gen) benchAccounts() []benchAccount {
	last := g.branches[len(g.branches)-1]
	out := []benchAccount{{ReviewerUser, last.first + int64(last.size) - 1, "reviewer", g.orgs[0].id}}
	bench := min(benchBranchCount, len(g.branches))
	for i := range bench {
		b := g.branches[i]
		out = append(out, benchAccount{fmt.Sprintf("%s%d", SecretaryPrefix, i+1), b.first, "secretary", b.id})
	}
	for k := range memberAccounts {
		b := g.branches[k%bench]
		out = append(out, benchAccount{fmt.Sprintf("%s%d", MemberPrefix, k+1), b.first + 8 + int64(k/bench), "member", 0})
	}
	return out
}

func (g *gen) accounts() table {
	// Synthetic accounts are marked demo: like the demo seed's, they are
	// exempt from the first-login change and from TOTP.
	return table{"accounts", []string{"id", "username", "display_name", "password_hash", "member_id", "must_change_password", "demo"}, func(e *emitter) {
		for i, a := range g.benchAccounts() {
			if !e.row(int64(i+1), a.user, a.user, g.hash, a.member, false, true) {
				return
			}
		}
	}}
}

func (g *gen) accountRoles() table {
	return table{"account_roles", []string{"account_id", "role", "org_id"}, func(e *emitter) {
		for i, a := range g.benchAccounts() {
			id := int64(i + 1)
			var org any
			if a.org != 0 {
				org = a.org
			}
			if !e.row(id, a.role, org) {
				return
			}
			if a.role != "member" && !e.row(id, "member", nil) {
				return
			}
		}
	}}
}

// meeting is one generated meeting.
type meeting struct {
	id     int64
	b      *branch // nil for a committee's democratic-life meeting
	org    int64
	kind   string
	day    days
	hour   int
	tenths int // study hours in tenths
	form   string
	topic  string
	place  string
	draft  bool
	late   bool
	group  int // index of the group for a group meeting, else -1
}

func (m *meeting) startsAt() time.Time {
	d := m.day.time()
	return time.Date(d.Year(), d.Month(), d.Day(), 8+m.hour, 30, 0, 0, i18n.Shanghai)
}

type spec struct {
	kind      string
	day, hour int
	tenths    int
	form      string
	group     int
}

// eachMeeting generates every meeting in id order: each branch's months,
// then each agency committee's yearly democratic-life meeting.
func (g *gen) eachMeeting(fn func(m *meeting) bool) {
	until := dayOf(g.cfg.Until)
	var id int64
	forms := []string{"central", "lecture", "online"}
	for _, b := range g.branches {
		r := g.rng(rMeet, int64(b.idx))
		for month := g.start; !month.After(g.cfg.Until); month = month.AddDate(0, 1, 0) {
			specs := []spec{
				{kind: "committee", day: 3 + r.IntN(4), hour: 1, group: -1},
				{kind: "party_day", day: 10 + r.IntN(5), hour: 6, tenths: 20, group: -1},
				{kind: "study", day: 18 + r.IntN(5), hour: 7, tenths: 20, form: forms[r.IntN(len(forms))], group: -1},
			}
			if month.Month()%3 == 0 {
				specs = append(specs, spec{kind: "general", day: 20, hour: 7, tenths: 10, group: -1},
					spec{kind: "lecture", day: 24, hour: 6, tenths: 20, group: -1})
			}
			for gi := range b.groups {
				specs = append(specs, spec{kind: "group", day: 14 + gi, hour: 7, group: gi})
			}
			if month.Month() == time.December {
				specs = append(specs, spec{kind: "org_life", day: 26, hour: 6, group: -1})
			}
			for _, s := range specs {
				held := r.Float64() < b.diligence
				topic := topics[s.kind][r.IntN(len(topics[s.kind]))]
				place := places[r.IntN(len(places))]
				late := r.IntN(25) == 0
				d := dayOf(month) + days(s.day-1)
				if !held || d > until {
					continue
				}
				id++
				m := &meeting{id: id, b: b, org: b.id, kind: s.kind, day: d, hour: s.hour, tenths: s.tenths, form: s.form,
					topic: topic, place: place, late: late, group: s.group, draft: until-d < 10 && late}
				if s.group >= 0 {
					m.org = b.groups[s.group]
				}
				if !fn(m) {
					return
				}
			}
		}
	}
	for _, c := range g.comms {
		for y := g.start.Year(); y <= g.cfg.Until.Year(); y++ {
			d := dayOf(time.Date(y, 12, 28, 0, 0, 0, 0, time.UTC))
			if d < dayOf(g.start) || d > until {
				continue
			}
			id++
			if !fn(&meeting{id: id, org: c.id, kind: "democratic_life", day: d, hour: 1, topic: "领导班子民主生活会", place: places[0], group: -1}) {
				return
			}
		}
	}
}

func (g *gen) meetings() table {
	cols := []string{"id", "org_id", "kind", "topic", "starts_at", "ends_at", "place", "host_id", "recorder_id", "lecturer",
		"agenda", "minutes", "decisions", "study_form", "study_hours", "status", "late_entry", "entered_at", "submitted_at"}
	hours := map[int]any{}
	for _, t := range []int{0, 10, 20} {
		hours[t] = numeric(t)
	}
	return table{"meetings", cols, func(e *emitter) {
		g.eachMeeting(func(m *meeting) bool {
			start := m.startsAt()
			end := start.Add(90 * time.Minute)
			entered := end.Add(2 * time.Hour)
			if m.late && !m.draft {
				entered = end.Add(12 * 24 * time.Hour)
			}
			status, submitted := "submitted", any(entered.Add(time.Hour))
			minutes := m.topic + "。会议按议程进行，与会党员结合工作实际交流了体会。"
			if m.draft {
				status, submitted = "draft", nil
			}
			var host, recorder, form any
			if m.b != nil {
				host, recorder = m.b.first, m.b.first+int64(min(2, m.b.size-1))
			}
			if m.form != "" {
				form = m.form
			}
			lecturer := ""
			if m.kind == "lecture" {
				lecturer = "支部书记"
			}
			return e.row(m.id, m.org, m.kind, m.topic, start, end, m.place, host, recorder, lecturer,
				"1. "+m.topic+"\n2. 交流发言", minutes, "按计划推进下阶段工作。", form, hours[m.tenths], status, m.late && !m.draft, entered, submitted)
		})
	}}
}

// eachAttendee calls fn for everyone expected at a meeting, with their
// attendance status (0 present, 1 on leave, 2 absent) and leave reason.
func (g *gen) eachAttendee(m *meeting, fn func(member int64, status int, reason string) bool) bool {
	b := m.b
	if b == nil {
		return true
	}
	r := g.rng(rAtt, m.id)
	for i := range b.size {
		id := b.first + int64(i)
		mm := &g.members[id-1]
		switch {
		case m.kind == "committee":
			if i >= b.committee {
				return true
			}
		case m.group >= 0:
			if int(mm.group) != m.group || !mm.due(m.day) {
				continue
			}
		default:
			if !mm.due(m.day) {
				continue
			}
		}
		status, reason := 0, ""
		switch x := r.IntN(100); {
		case x < 6:
			status, reason = 1, leaveReasons[x%len(leaveReasons)]
		case x < 9:
			status = 2
		}
		if !fn(id, status, reason) {
			return false
		}
	}
	return true
}

var statuses = []string{"present", "leave", "absent"}

func (g *gen) attendance() table {
	zero, hours := numeric(0), map[int]any{10: numeric(10), 20: numeric(20)}
	return table{"attendance", []string{"meeting_id", "member_id", "status", "reason", "hours"}, func(e *emitter) {
		g.eachMeeting(func(m *meeting) bool {
			return g.eachAttendee(m, func(member int64, status int, reason string) bool {
				h := any(zero)
				if status == 0 && m.tenths > 0 {
					h = hours[m.tenths]
				}
				return e.row(m.id, member, statuses[status], reason, h)
			})
		})
	}}
}

func (g *gen) credits() table {
	hours := map[int]any{}
	for t := 10; t <= 120; t += 10 {
		hours[t] = numeric(t)
	}
	return table{"study_credits", []string{"member_id", "meeting_id", "hours", "kind", "earned_on", "evidence"}, func(e *emitter) {
		ok := true
		g.eachMeeting(func(m *meeting) bool {
			if m.tenths == 0 {
				return true
			}
			on := m.day.time()
			ok = g.eachAttendee(m, func(member int64, status int, _ string) bool {
				if status != 0 {
					return true
				}
				return e.row(member, m.id, hours[m.tenths], "meeting", on, "")
			})
			return ok
		})
		if !ok {
			return
		}
		// One online course a year for every member.
		for i := range g.members {
			r := g.rng(rCredit, int64(i))
			for y := g.start.Year(); y <= g.cfg.Until.Year(); y++ {
				on := time.Date(y, 6, 15, 0, 0, 0, 0, time.UTC)
				if on.Before(g.start) || on.After(g.cfg.Until) {
					continue
				}
				if !e.row(int64(i+1), nil, hours[40+10*r.IntN(9)], "online", on, "网络学院学习记录") {
					return
				}
			}
		}
	}}
}

// eachLife calls fn for every organisational- and democratic-life
// meeting, numbered from 1.
func (g *gen) eachLife(fn func(id int64, m *meeting) bool) {
	var id int64
	g.eachMeeting(func(m *meeting) bool {
		if m.kind != "org_life" && m.kind != "democratic_life" {
			return true
		}
		id++
		return fn(id, m)
	})
}

// leadershipGroups gives each agency committee its Party group (党组),
// numbered from 1 in the committees' order, which holds the committee's
// democratic-life meetings (migration 000410).
func (g *gen) leadershipGroups() table {
	return table{"leadership_groups", []string{"id", "committee_id", "kind", "name"}, func(e *emitter) {
		for i, c := range g.comms {
			if !e.row(int64(i+1), c.id, "party_group", c.name+"党组") {
				return
			}
		}
	}}
}

func (g *gen) lifeMeetings() table {
	groupOf := make(map[int64]int64, len(g.comms))
	for i, c := range g.comms {
		groupOf[c.id] = int64(i + 1)
	}
	return table{"life_meetings", []string{"id", "org_id", "kind", "year", "theme", "meeting_id", "status", "submitted_at", "group_id"}, func(e *emitter) {
		g.eachLife(func(id int64, m *meeting) bool {
			status, submitted := "submitted", any(m.startsAt().Add(3*24*time.Hour))
			if m.draft {
				status, submitted = "held", nil
			}
			var group any
			if m.kind == "democratic_life" {
				group = groupOf[m.org]
			}
			return e.row(id, m.org, m.kind, m.day.time().Year(), "对照党章党规找差距，推动工作落实", m.id, status, submitted, group)
		})
	}}
}

func (g *gen) rectification() table {
	cols := []string{"org_id", "life_id", "problem", "measure", "owner_id", "deadline", "status", "done_on", "evidence"}
	until := g.cfg.Until
	return table{"rectification_items", cols, func(e *emitter) {
		g.eachLife(func(id int64, m *meeting) bool {
			r := g.rng(rLife, id)
			for k := range 2 {
				deadline := m.day.time().AddDate(0, 3, 0)
				var owner any
				if m.b != nil {
					owner = m.b.first + int64(k%m.b.size)
				}
				status, done, evidence := "open", any(nil), ""
				switch {
				case deadline.Before(until.AddDate(0, 0, -30)) && r.IntN(100) < 85:
					status, done, evidence = "done", deadline.AddDate(0, 0, -r.IntN(30)), "整改完成，已报党委备案"
				case r.IntN(2) == 0:
					status = "in_progress"
				}
				p := problems[r.IntN(len(problems))]
				if !e.row(m.org, id, p, "制定整改措施，明确责任人和时限", owner, deadline, status, done, evidence) {
					return false
				}
			}
			return true
		})
	}}
}

// eachAppraisal calls fn for each branch's yearly democratic appraisal,
// numbered from 1.
func (g *gen) eachAppraisal(fn func(id int64, b *branch, held time.Time) bool) {
	var id int64
	for _, b := range g.branches {
		for y := g.start.Year(); y <= g.cfg.Until.Year(); y++ {
			held := time.Date(y, 12, 20, 0, 0, 0, 0, time.UTC)
			if held.Before(g.start) || held.After(g.cfg.Until) {
				continue
			}
			id++
			if !fn(id, b, held) {
				return
			}
		}
	}
}

func (g *gen) appraisals() table {
	return table{"appraisals", []string{"id", "branch_id", "year", "held_on", "status"}, func(e *emitter) {
		g.eachAppraisal(func(id int64, b *branch, held time.Time) bool {
			return e.row(id, b.id, held.Year(), held, "closed")
		})
	}}
}

func (g *gen) appraisalResults() table {
	cols := []string{"appraisal_id", "member_id", "result", "votes_excellent", "votes_qualified", "votes_basic", "votes_unqualified", "followup", "followup_due"}
	return table{"appraisal_results", cols, func(e *emitter) {
		g.eachAppraisal(func(id int64, b *branch, held time.Time) bool {
			r := g.rng(rAppraise, id)
			d := dayOf(held)
			voters := 0
			for i := range b.size {
				if g.members[b.first+int64(i)-1].due(d) {
					voters++
				}
			}
			for i := range b.size {
				mid := b.first + int64(i)
				if !g.members[mid-1].due(d) {
					continue
				}
				result, followup, due := "qualified", "", any(nil)
				switch x := r.IntN(1000); {
				case x < 200:
					result = "excellent"
				case x < 975:
				case x < 995:
					result = "basic"
				default:
					result, followup, due = "unqualified", "限期改正，支部书记谈话提醒", held.AddDate(0, 3, 0)
				}
				ex := r.IntN(voters + 1)
				if !e.row(id, mid, result, ex, voters-ex, 0, 0, followup, due) {
					return false
				}
			}
			return true
		})
	}}
}

func (g *gen) commendations() table {
	cols := []string{"title", "level", "granted_on", "issuer", "document_no", "citation", "member_id", "org_id"}
	return table{"commendations", cols, func(e *emitter) {
		for _, b := range g.branches {
			r := g.rng(rCommend, int64(b.idx))
			for y := g.start.Year(); y <= g.cfg.Until.Year(); y++ {
				on := time.Date(y, 7, 1, 0, 0, 0, 0, time.UTC)
				if on.Before(g.start) || on.After(g.cfg.Until) {
					continue
				}
				doc := fmt.Sprintf("机党发〔%d〕%d号", y, 10+r.IntN(40))
				for i := range b.size {
					mid := b.first + int64(i)
					if r.IntN(100) != 0 || !g.members[mid-1].due(dayOf(on)) {
						continue
					}
					if !e.row("优秀共产党员", "committee", on, "机关党委", doc, "在本职工作和支部建设中表现突出。", mid, nil) {
						return
					}
				}
				if r.IntN(30) == 0 && !e.row("先进基层党组织", "committee", on, "机关工委", doc, "支部组织生活规范，作用发挥明显。", nil, b.id) {
					return
				}
			}
		}
	}}
}
