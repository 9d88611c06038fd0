package server_test

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apptest"
	"zhibu/internal/ui"
)

// The access matrix: every route the router holds × every demo role × the
// user's own record and another's. A route without a row here fails the
// test, so a new route cannot ship without its access rules written down.
//
// To add a route: add a row keyed "METHOD pattern" to accessTable. Path is
// the address to request for "own" (placeholders in braces are filled from
// fixtures); Other, when set, is a record outside the user's scope; Want
// and WantOther give each user's status (helpers below build the usual
// shapes). POSTs are sent with an empty form from a freshly signed-in
// client, in the table's sorted order, so a POST that changes state
// affects only later rows.

// users are the demo accounts (password seed.DemoPassword) plus "anon".
var users = []string{"anon", "member", "secretary", "reviewer", "admin", "security", "auditor"}

// pipelineUser (recruit2) is the demo account of a person in the
// recruitment pipeline, a member without a role: on every route it gets
// the member's status, except on the rows that name it.
const pipelineUser = "probationer"

// want maps a user to the status they get.
type want map[string]int

// accessCase is one route's row of the matrix.
type accessCase struct {
	Path      string // with {placeholders}; "" means the pattern itself
	Other     string // another branch's (or a missing) record; "" when none
	Want      want
	WantOther want
}

// everyone gives every user the same status.
func everyone(status int) want {
	w := want{}
	for _, u := range users {
		w[u] = status
	}
	return w
}

// signedIn: anonymous visitors are sent to sign in (GET, 303) or refused
// (POST, 401); every signed-in user gets status.
func signedIn(method string, status int) want {
	w := everyone(status)
	w["anon"] = anonStatus(method)
	return w
}

// only: the listed users get status, other signed-in users 403.
func only(method string, status int, allowed ...string) want {
	w := signedIn(method, http.StatusForbidden)
	for _, u := range allowed {
		w[u] = status
	}
	return w
}

func anonStatus(method string) int {
	if method == http.MethodGet {
		return http.StatusSeeOther
	}
	return http.StatusUnauthorized
}

// with changes the statuses of some users in w.
func with(w want, status int, users ...string) want {
	out := want{}
	for k, v := range w {
		out[k] = v
	}
	for _, u := range users {
		out[u] = status
	}
	return out
}

const (
	get  = http.MethodGet
	post = http.MethodPost
)

var accessTable = map[string]accessCase{
	// Public.
	"GET /healthz":     {Want: everyone(200)},
	"GET /readyz":      {Want: everyone(200)},
	"GET /static/*":    {Path: "{asset}", Want: everyone(200)},
	"GET /login":       {Want: func() want { w := everyone(303); w["anon"] = 200; return w }()},
	"POST /login":      {Want: everyone(401)},
	"POST /lang":       {Want: everyone(422)},
	"GET /login/totp":  {Want: everyone(303)}, // no login challenge: back to /login
	"POST /login/totp": {Want: everyone(303)},

	// --- account ---
	"POST /logout":                {Want: signedIn(post, 303)},
	"GET /password":               {Want: signedIn(get, 200)},
	"POST /password":              {Want: signedIn(post, 422)},
	"GET /account/totp":           {Want: signedIn(get, 200)},
	"GET /account/totp/qr.png":    {Want: signedIn(get, 404)},  // nothing pending yet
	"POST /account/totp/confirm":  {Want: signedIn(post, 303)}, // nothing pending: back to the page
	"POST /account/totp/recovery": {Want: signedIn(post, 303)}, // TOTP off: back to the page
	"POST /account/totp/start":    {Want: signedIn(post, 303)},
	"GET /":                       {Want: signedIn(get, 200)},

	// --- admin: accounts --- (sysadmin only; any account, a missing one is 404)
	"GET /admin/accounts":                    {Want: only(get, 200, "admin")},
	"GET /admin/accounts/new":                {Want: only(get, 200, "admin")},
	"POST /admin/accounts":                   {Want: only(post, 422, "admin")},
	"GET /admin/accounts/{id}":               {Path: "/admin/accounts/{member_account}", Other: "/admin/accounts/{missing}", Want: only(get, 200, "admin"), WantOther: only(get, 404, "admin")},
	"POST /admin/accounts/{id}/disable":      {Path: "/admin/accounts/{member_account}/disable", Other: "/admin/accounts/{missing}/disable", Want: only(post, 422, "admin"), WantOther: only(post, 404, "admin")},
	"POST /admin/accounts/{id}/enable":       {Path: "/admin/accounts/{member_account}/enable", Other: "/admin/accounts/{missing}/enable", Want: only(post, 303, "admin"), WantOther: only(post, 404, "admin")},
	"POST /admin/accounts/{id}/password":     {Path: "/admin/accounts/{member_account}/password", Other: "/admin/accounts/{missing}/password", Want: only(post, 422, "admin"), WantOther: only(post, 404, "admin")},
	"POST /admin/accounts/{id}/sessions/end": {Path: "/admin/accounts/{member_account}/sessions/end", Other: "/admin/accounts/{missing}/sessions/end", Want: only(post, 303, "admin"), WantOther: only(post, 404, "admin")},

	// --- admin: security --- (secadmin only)
	"GET /admin/security":                             {Want: only(get, 200, "security")},
	"POST /admin/security/settings":                   {Want: only(post, 422, "security")},
	"GET /admin/security/accounts/{id}":               {Path: "/admin/security/accounts/{member_account}", Other: "/admin/security/accounts/{missing}", Want: only(get, 200, "security"), WantOther: only(get, 404, "security")},
	"POST /admin/security/accounts/{id}/unlock":       {Path: "/admin/security/accounts/{member_account}/unlock", Other: "/admin/security/accounts/{missing}/unlock", Want: only(post, 303, "security"), WantOther: only(post, 404, "security")},
	"POST /admin/security/accounts/{id}/roles":        {Path: "/admin/security/accounts/{member_account}/roles", Other: "/admin/security/accounts/{missing}/roles", Want: only(post, 422, "security"), WantOther: only(post, 404, "security")},
	"POST /admin/security/accounts/{id}/roles/revoke": {Path: "/admin/security/accounts/{member_account}/roles/revoke", Other: "/admin/security/accounts/{missing}/roles/revoke", Want: only(post, 422, "security"), WantOther: only(post, 404, "security")},

	"POST /admin/security/accounts/{id}/totp/reset": {Path: "/admin/security/accounts/{member_account}/totp/reset", Other: "/admin/security/accounts/{missing}/totp/reset", Want: only(post, 422, "security"), WantOther: only(post, 404, "security")},

	// --- operations ---
	"GET /metrics": {Want: everyone(200)},

	// --- me --- (anyone with a member record; the record is always one's own)
	// Administrators hold no member record: their /me does not exist.
	"GET /me":            {Want: with(only(get, 200, "member", "secretary", "reviewer"), 404, "admin", "security", "auditor")},
	"GET /me/transcript": {Want: with(only(get, 200, "member", "secretary", "reviewer"), 404, "admin", "security", "auditor")},
	"POST /me/calendar":  {Want: with(only(post, 303, "member", "secretary", "reviewer"), 404, "admin", "security", "auditor")},
	// --- selfadmin: a member's own phone and e-mail (issue 22) ---
	"GET /me/contact":  {Want: with(only(get, 200, "member", "secretary", "reviewer"), 404, "admin", "security", "auditor")},
	"POST /me/contact": {Want: with(only(post, 303, "member", "secretary", "reviewer"), 404, "admin", "security", "auditor")},

	// --- workbench --- members act for themselves; the secretary decides.
	"GET /me/leave/{id}":                   {Path: "/me/leave/{missing}", Want: signedIn(get, 404)},
	"POST /me/leave/{id}":                  {Path: "/me/leave/{missing}", Want: signedIn(post, 404)},
	"GET /me/credits/new":                  {Want: with(only(get, 200, "member", "secretary", "reviewer"), 404, "admin", "security", "auditor")},
	"POST /me/credits/new":                 {Want: with(only(post, 422, "member", "secretary", "reviewer"), 404, "admin", "security", "auditor")},
	"GET /me/requests":                     {Want: with(only(get, 200, "member", "secretary", "reviewer"), 404, "admin", "security", "auditor")},
	"GET /me/meetings/{id}":                {Path: "/me/meetings/{missing}", Want: signedIn(get, 404)},
	"POST /me/meetings/{id}/read":          {Path: "/me/meetings/{missing}/read", Want: signedIn(post, 404)},
	"GET /meetings/requests":               {Want: only(get, 200, "secretary", "reviewer")},
	"POST /meetings/requests/leave/{rid}":  {Path: "/meetings/requests/leave/{missing}", Want: only(post, 404, "secretary", "reviewer")},
	"POST /meetings/requests/credit/{rid}": {Path: "/meetings/requests/credit/{missing}", Want: only(post, 404, "secretary", "reviewer")},
	// --- files ---
	"GET /meetings/requests/credit/{rid}/file": {Path: "/meetings/requests/credit/{missing}/file", Want: only(get, 404, "secretary", "reviewer")},
	"GET /me/credits/{rid}/file":               {Path: "/me/credits/{missing}/file", Want: signedIn(get, 404)},

	// --- meeting: sign-in --- the screen is the secretary's; any member signs in.
	"GET /meetings/{id}/checkin":        {Path: "/meetings/{own_meeting}/checkin", Other: "/meetings/{other_meeting}/checkin", Want: only(get, 200, "secretary"), WantOther: with(only(get, 403), 404, "secretary")},
	"GET /meetings/{id}/checkin/qr.svg": {Path: "/meetings/{own_meeting}/checkin/qr.svg", Other: "/meetings/{other_meeting}/checkin/qr.svg", Want: only(get, 200, "secretary"), WantOther: with(only(get, 403), 404, "secretary")},
	"GET /meetings/{id}/checkin/state":  {Path: "/meetings/{own_meeting}/checkin/state", Other: "/meetings/{other_meeting}/checkin/state", Want: only(get, 200, "secretary"), WantOther: with(only(get, 403), 404, "secretary")},
	"GET /checkin":                      {Want: with(only(get, 200, "member", "secretary", "reviewer"), 404, "admin", "security", "auditor")},
	"GET /checkin/{id}":                 {Path: "/checkin/{missing}", Want: with(only(get, 200, "member", "secretary", "reviewer"), 404, "admin", "security", "auditor")},
	"POST /checkin/{id}":                {Path: "/checkin/{missing}", Want: with(only(post, 422, "member", "secretary", "reviewer"), 404, "admin", "security", "auditor")},

	// --- notify --- everyone signed in has an inbox; the failed jobs are the system administrator's.
	"GET /inbox":                  {Want: signedIn(get, 200)},
	"POST /inbox/read-all":        {Want: signedIn(post, 303)},
	"POST /inbox/prefs":           {Want: signedIn(post, 303)},
	"POST /inbox/{id}/open":       {Path: "/inbox/{missing}/open", Want: signedIn(post, 404)},
	"GET /admin/jobs":             {Want: only(get, 200, "admin")},
	"POST /admin/jobs/{id}/retry": {Path: "/admin/jobs/{missing}/retry", Want: only(post, 404, "admin")},
	// --- selfadmin: the reminder-days setting (issue 22) ---
	"POST /admin/jobs/settings": {Want: only(post, 422, "admin")},
	// --- selfadmin: /plans read by a member too, their branch's plan (issue 23) ---
	"GET /plans":      {Want: only(get, 200, "member", "secretary", "reviewer")},
	"GET /plans/{id}": {Path: "/plans/{own_plan_task}", Want: only(get, 200, "member", "secretary", "reviewer")},
	// --- selfadmin: the grades of branches (issue 23) ---
	"GET /admin/grade-levels":                   {Want: only(get, 200, "admin")},
	"POST /admin/grade-levels":                  {Want: only(post, 422, "admin")},
	"GET /admin/grade-levels/{code}":            {Path: "/admin/grade-levels/good", Other: "/admin/grade-levels/missing", Want: only(get, 200, "admin"), WantOther: only(get, 404, "admin")},
	"POST /admin/grade-levels/{code}":           {Path: "/admin/grade-levels/good", Want: only(post, 422, "admin")},
	"POST /admin/grade-levels/{code}/move":      {Path: "/admin/grade-levels/good/move", Want: only(post, 303, "admin")},
	"POST /admin/grade-levels/{code}/retire":    {Path: "/admin/grade-levels/good/retire", Want: only(post, 303, "admin")},
	"POST /admin/grade-levels/{code}/reinstate": {Path: "/admin/grade-levels/good/reinstate", Want: only(post, 303, "admin")},
	// --- scale-out (issue 24) ---
	"GET /admin/status": {Want: only(get, 200, "admin")},
	// The iCalendar feed is public but behind a secret address.
	"GET /calendar/{token}.ics": {Path: "/calendar/not-a-token.ics", Want: everyone(404)},

	// --- meetings --- (secretaries write their branch's; reviewers read the subtree)
	"GET /meetings/":                {Path: "/meetings", Want: only(get, 200, "secretary", "reviewer")},
	"GET /meetings/new":             {Want: only(get, 200, "secretary")},
	"POST /meetings/new":            {Want: only(post, 422, "secretary")},
	"GET /meetings/calendar":        {Want: only(get, 200, "secretary", "reviewer")},
	"GET /meetings/credits/new":     {Want: only(get, 200, "secretary")},
	"POST /meetings/credits/new":    {Want: only(post, 422, "secretary")},
	"GET /meetings/{id}":            {Path: "/meetings/{own_meeting}", Other: "/meetings/{other_meeting}", Want: only(get, 200, "secretary", "reviewer"), WantOther: with(only(get, 200, "reviewer"), 404, "secretary")},
	"GET /meetings/{id}/print":      {Path: "/meetings/{own_meeting}/print", Other: "/meetings/{other_meeting}/print", Want: only(get, 200, "secretary", "reviewer"), WantOther: with(only(get, 200, "reviewer"), 404, "secretary")},
	"GET /meetings/{id}/edit":       {Path: "/meetings/{own_draft}/edit", Other: "/meetings/{other_meeting}/edit", Want: only(get, 200, "secretary"), WantOther: with(only(get, 403), 404, "secretary")},
	"POST /meetings/{id}/edit":      {Path: "/meetings/{own_draft}/edit", Other: "/meetings/{other_meeting}/edit", Want: only(post, 422, "secretary"), WantOther: with(only(post, 403), 404, "secretary")},
	"GET /meetings/{id}/attendance": {Path: "/meetings/{own_draft}/attendance", Other: "/meetings/{other_meeting}/attendance", Want: only(get, 200, "secretary"), WantOther: with(only(get, 403), 404, "secretary")},
	// An empty post carries no version: the attendance form answers 409.
	"POST /meetings/{id}/attendance":               {Path: "/meetings/{own_draft}/attendance", Other: "/meetings/{other_meeting}/attendance", Want: only(post, 409, "secretary"), WantOther: with(only(post, 403), 404, "secretary")},
	"GET /meetings/{id}/submit":                    {Path: "/meetings/{own_draft}/submit", Other: "/meetings/{other_meeting}/submit", Want: only(get, 200, "secretary"), WantOther: with(only(get, 403), 404, "secretary")},
	"POST /meetings/{id}/submit":                   {Path: "/meetings/{own_draft}/submit", Other: "/meetings/{other_meeting}/submit", Want: only(post, 422, "secretary"), WantOther: with(only(post, 403), 404, "secretary")},
	"GET /meetings/{id}/correct":                   {Path: "/meetings/{own_meeting}/correct", Other: "/meetings/{other_meeting}/correct", Want: only(get, 200, "secretary"), WantOther: with(only(get, 403), 404, "secretary")},
	"POST /meetings/{id}/correct":                  {Path: "/meetings/{own_meeting}/correct", Other: "/meetings/{other_meeting}/correct", Want: only(post, 422, "secretary"), WantOther: with(only(post, 403), 404, "secretary")},
	"POST /meetings/{id}/attachments":              {Path: "/meetings/{own_draft}/attachments", Other: "/meetings/{other_meeting}/attachments", Want: only(post, 422, "secretary"), WantOther: with(only(post, 403), 404, "secretary")},
	"GET /meetings/{id}/attachments/{aid}":         {Path: "/meetings/{own_meeting}/attachments/{missing}", Other: "/meetings/{other_meeting}/attachments/{missing}", Want: only(get, 404, "secretary", "reviewer"), WantOther: only(get, 404, "secretary", "reviewer")},
	"POST /meetings/{id}/attachments/{aid}/delete": {Path: "/meetings/{own_draft}/attachments/{missing}/delete", Other: "/meetings/{other_meeting}/attachments/{missing}/delete", Want: only(post, 422, "secretary"), WantOther: with(only(post, 403), 404, "secretary")},
	// --- correct (issue 25): corrections of a submitted meeting, the signed sheet ---
	"GET /meetings/{id}/correct/attendance":  {Path: "/meetings/{own_meeting}/correct/attendance", Other: "/meetings/{other_meeting}/correct/attendance", Want: only(get, 200, "secretary"), WantOther: with(only(get, 403), 404, "secretary")},
	"POST /meetings/{id}/correct/attendance": {Path: "/meetings/{own_meeting}/correct/attendance", Other: "/meetings/{other_meeting}/correct/attendance", Want: only(post, 422, "secretary"), WantOther: with(only(post, 403), 404, "secretary")},
	"GET /meetings/{id}/correct/details":     {Path: "/meetings/{own_meeting}/correct/details", Other: "/meetings/{other_meeting}/correct/details", Want: only(get, 200, "secretary"), WantOther: with(only(get, 403), 404, "secretary")},
	"POST /meetings/{id}/correct/details":    {Path: "/meetings/{own_meeting}/correct/details", Other: "/meetings/{other_meeting}/correct/details", Want: only(post, 422, "secretary"), WantOther: with(only(post, 403), 404, "secretary")},
	"POST /meetings/{id}/sheet":              {Path: "/meetings/{own_meeting}/sheet", Other: "/meetings/{other_meeting}/sheet", Want: only(post, 422, "secretary"), WantOther: with(only(post, 403), 404, "secretary")},

	// --- organisations --- (scoped readers; the system administrator keeps the tree)
	"GET /orgs":                 {Want: only(get, 200, "secretary", "reviewer", "admin")},
	"GET /orgs/{id}":            {Path: "/orgs/{own_branch}", Other: "/orgs/{other_branch}", Want: only(get, 200, "secretary", "reviewer", "admin"), WantOther: with(only(get, 200, "reviewer", "admin"), 404, "secretary")},
	"GET /orgs/new":             {Want: only(get, 200, "admin")},
	"POST /orgs/new":            {Want: only(post, 422, "admin")},
	"GET /orgs/{id}/edit":       {Path: "/orgs/{own_branch}/edit", Other: "/orgs/{missing}/edit", Want: only(get, 200, "admin"), WantOther: only(get, 404, "admin")},
	"POST /orgs/{id}/edit":      {Path: "/orgs/{own_branch}/edit", Other: "/orgs/{missing}/edit", Want: only(post, 422, "admin"), WantOther: only(post, 404, "admin")},
	"GET /orgs/{id}/dissolve":   {Path: "/orgs/{own_branch}/dissolve", Other: "/orgs/{missing}/dissolve", Want: only(get, 200, "admin"), WantOther: only(get, 404, "admin")},
	"POST /orgs/{id}/dissolve":  {Path: "/orgs/{own_branch}/dissolve", Other: "/orgs/{missing}/dissolve", Want: only(post, 422, "admin"), WantOther: only(post, 404, "admin")},
	"GET /orgs/{id}/terms/new":  {Path: "/orgs/{own_branch}/terms/new", Other: "/orgs/{missing}/terms/new", Want: only(get, 200, "admin"), WantOther: only(get, 404, "admin")},
	"POST /orgs/{id}/terms/new": {Path: "/orgs/{own_branch}/terms/new", Other: "/orgs/{missing}/terms/new", Want: only(post, 422, "admin"), WantOther: only(post, 404, "admin")},

	// --- members --- (secretaries keep their branch's roster; reviewers read the subtree)
	"GET /members":                     {Want: only(get, 200, "secretary", "reviewer")},
	"GET /members/export.csv":          {Want: only(get, 200, "secretary", "reviewer")},
	"GET /members/export.xlsx":         {Want: only(get, 200, "secretary", "reviewer")},
	"GET /members/new":                 {Want: only(get, 200, "secretary")},
	"POST /members/new":                {Want: only(post, 422, "secretary")},
	"GET /members/import":              {Want: only(get, 200, "secretary")},
	"GET /members/import/template.csv": {Want: only(get, 200, "secretary", "reviewer")}, // a blank template
	"POST /members/import":             {Want: only(post, 422, "secretary")},
	"POST /members/import/{id}":        {Path: "/members/import/{missing}", Want: only(post, 404, "secretary", "reviewer")},
	"GET /members/{id}":                {Path: "/members/{own_member}", Other: "/members/{other_member}", Want: only(get, 200, "secretary", "reviewer"), WantOther: with(only(get, 200, "reviewer"), 404, "secretary")},
	"GET /members/{id}/edit":           {Path: "/members/{own_member}/edit", Other: "/members/{other_member}/edit", Want: only(get, 200, "secretary"), WantOther: with(only(get, 403), 404, "secretary")},
	"POST /members/{id}/edit":          {Path: "/members/{own_member}/edit", Other: "/members/{other_member}/edit", Want: only(post, 422, "secretary"), WantOther: with(only(post, 403), 404, "secretary")},
	"POST /members/{id}/reveal":        {Path: "/members/{own_member}/reveal", Other: "/members/{other_member}/reveal", Want: only(post, 200, "secretary"), WantOther: with(only(post, 403), 404, "secretary")},
	"GET /members/{id}/act/{action}":   {Path: "/members/{own_member}/act/status", Other: "/members/{other_member}/act/status", Want: only(get, 200, "secretary"), WantOther: with(only(get, 403), 404, "secretary")},
	"POST /members/{id}/act/{action}":  {Path: "/members/{own_member}/act/status", Other: "/members/{other_member}/act/status", Want: only(post, 422, "secretary"), WantOther: with(only(post, 403), 404, "secretary")},

	// --- life --- (secretaries write their branch's org-life meeting; the
	// committee's democratic-life meeting is the reviewer's)
	"GET /life":                                    {Want: only(get, 200, "secretary", "reviewer")},
	"GET /life/new":                                {Want: only(get, 200, "secretary", "reviewer")},
	"POST /life":                                   {Want: only(post, 422, "secretary", "reviewer")},
	"GET /life/{id}":                               {Path: "/life/{own_life}", Other: "/life/{other_life}", Want: only(get, 200, "secretary", "reviewer"), WantOther: with(only(get, 200, "reviewer"), 404, "secretary")},
	"GET /life/{id}/print":                         {Path: "/life/{own_life}/print", Other: "/life/{other_life}/print", Want: only(get, 200, "secretary", "reviewer"), WantOther: with(only(get, 200, "reviewer"), 404, "secretary")},
	"GET /life/{id}/edit":                          {Path: "/life/{own_life}/edit", Other: "/life/{other_life}/edit", Want: only(get, 403), WantOther: with(only(get, 403), 404, "secretary")},
	"POST /life/{id}/edit":                         {Path: "/life/{own_life}/edit", Other: "/life/{other_life}/edit", Want: only(post, 403), WantOther: with(only(post, 403), 404, "secretary")},
	"POST /life/{id}/steps":                        {Path: "/life/{own_life}/steps", Other: "/life/{other_life}/steps", Want: only(post, 403), WantOther: with(only(post, 403), 404, "secretary")},
	"POST /life/{id}/opinions":                     {Path: "/life/{own_life}/opinions", Other: "/life/{other_life}/opinions", Want: only(post, 403), WantOther: with(only(post, 403), 404, "secretary")},
	"POST /life/{id}/criticisms":                   {Path: "/life/{own_life}/criticisms", Other: "/life/{other_life}/criticisms", Want: only(post, 403), WantOther: with(only(post, 403), 404, "secretary")},
	"POST /life/{id}/items":                        {Path: "/life/{own_life}/items", Other: "/life/{other_life}/items", Want: only(post, 403), WantOther: with(only(post, 403), 404, "secretary")},
	"POST /life/{id}/participants":                 {Path: "/life/{own_life}/participants", Other: "/life/{other_life}/participants", Want: only(post, 403), WantOther: with(only(post, 403), 404, "secretary")},
	"GET /life/{id}/participants/{member}":         {Path: "/life/{own_life}/participants/{own_member}", Other: "/life/{other_life}/participants/{own_member}", Want: only(get, 403), WantOther: with(only(get, 403), 404, "secretary")},
	"POST /life/{id}/participants/{member}":        {Path: "/life/{own_life}/participants/{own_member}", Other: "/life/{other_life}/participants/{own_member}", Want: only(post, 403), WantOther: with(only(post, 403), 404, "secretary")},
	"GET /life/{id}/participants/{member}/remove":  {Path: "/life/{own_life}/participants/{own_member}/remove", Other: "/life/{other_life}/participants/{own_member}/remove", Want: only(get, 403), WantOther: with(only(get, 403), 404, "secretary")},
	"POST /life/{id}/participants/{member}/remove": {Path: "/life/{own_life}/participants/{own_member}/remove", Other: "/life/{other_life}/participants/{own_member}/remove", Want: only(post, 403), WantOther: with(only(post, 403), 404, "secretary")},
	"GET /life/{id}/hold":                          {Path: "/life/{own_life}/hold", Other: "/life/{other_life}/hold", Want: only(get, 403), WantOther: with(only(get, 403), 404, "secretary")},
	"POST /life/{id}/hold":                         {Path: "/life/{own_life}/hold", Other: "/life/{other_life}/hold", Want: only(post, 403), WantOther: with(only(post, 403), 404, "secretary")},
	"GET /life/{id}/submit":                        {Path: "/life/{own_life}/submit", Other: "/life/{other_life}/submit", Want: only(get, 403), WantOther: with(only(get, 403), 404, "secretary")},
	"POST /life/{id}/submit":                       {Path: "/life/{own_life}/submit", Other: "/life/{other_life}/submit", Want: only(post, 403), WantOther: with(only(post, 403), 404, "secretary")},
	"GET /rectification":                           {Want: only(get, 200, "secretary", "reviewer")},
	"GET /rectification/{id}":                      {Path: "/rectification/{own_rect}", Other: "/rectification/{other_rect}", Want: only(get, 200, "secretary", "reviewer"), WantOther: with(only(get, 200, "reviewer"), 404, "secretary")},
	"POST /rectification/{id}":                     {Path: "/rectification/{own_rect}", Other: "/rectification/{other_rect}", Want: only(post, 422, "secretary"), WantOther: with(only(post, 422, "reviewer"), 404, "secretary")},

	// --- appraisal ---
	"GET /appraisals":                        {Want: only(get, 200, "secretary", "reviewer")},
	"POST /appraisals":                       {Want: only(post, 422, "secretary")},
	"GET /appraisals/{id}":                   {Path: "/appraisals/{own_appraisal}", Other: "/appraisals/{other_appraisal}", Want: only(get, 200, "secretary", "reviewer"), WantOther: with(only(get, 200, "reviewer"), 404, "secretary")},
	"GET /appraisals/{id}/members/{member}":  {Path: "/appraisals/{own_appraisal}/members/{own_member}", Other: "/appraisals/{other_appraisal}/members/{own_member}", Want: only(get, 403), WantOther: with(only(get, 403), 404, "secretary")},
	"POST /appraisals/{id}/members/{member}": {Path: "/appraisals/{own_appraisal}/members/{own_member}", Other: "/appraisals/{other_appraisal}/members/{own_member}", Want: only(post, 403), WantOther: with(only(post, 403), 404, "secretary")},
	"POST /appraisals/{id}/close":            {Path: "/appraisals/{own_appraisal}/close", Other: "/appraisals/{other_appraisal}/close", Want: only(post, 403), WantOther: with(only(post, 403), 404, "secretary")},

	// --- dues --- (secretaries keep their branch's ledger; reviewers read the subtree and confirm)
	"GET /dues":                               {Want: only(get, 200, "secretary", "reviewer")},
	"GET /dues/branches/{id}":                 {Path: "/dues/branches/{own_branch}", Other: "/dues/branches/{other_branch}", Want: only(get, 200, "secretary", "reviewer"), WantOther: with(only(get, 200, "reviewer"), 404, "secretary")},
	"POST /dues/branches/{id}/payments":       {Path: "/dues/branches/{own_branch}/payments", Other: "/dues/branches/{other_branch}/payments", Want: only(post, 422, "secretary"), WantOther: with(only(post, 403), 404, "secretary")},
	"POST /dues/branches/{id}/close":          {Path: "/dues/branches/{own_branch}/close", Other: "/dues/branches/{other_branch}/close", Want: only(post, 422, "secretary"), WantOther: with(only(post, 403), 404, "secretary")},
	"POST /dues/branches/{id}/confirm":        {Path: "/dues/branches/{own_branch}/confirm", Other: "/dues/branches/{missing}/confirm", Want: only(post, 422, "reviewer"), WantOther: only(post, 404, "secretary", "reviewer")},
	"POST /dues/branches/{id}/corrections":    {Path: "/dues/branches/{own_branch}/corrections", Other: "/dues/branches/{other_branch}/corrections", Want: only(post, 422, "secretary"), WantOther: with(only(post, 403), 404, "secretary")},
	"POST /dues/branches/{id}/excuses":        {Path: "/dues/branches/{own_branch}/excuses", Other: "/dues/branches/{other_branch}/excuses", Want: only(post, 422, "secretary"), WantOther: with(only(post, 403), 404, "secretary")},
	"GET /dues/branches/{id}/bases":           {Path: "/dues/branches/{own_branch}/bases", Other: "/dues/branches/{other_branch}/bases", Want: only(get, 200, "secretary", "reviewer"), WantOther: with(only(get, 200, "reviewer"), 404, "secretary")},
	"POST /dues/branches/{id}/bases/import":   {Path: "/dues/branches/{own_branch}/bases/import", Other: "/dues/branches/{other_branch}/bases/import", Want: only(post, 422, "secretary"), WantOther: with(only(post, 403), 404, "secretary")},
	"GET /dues/branches/{id}/bases/{member}":  {Path: "/dues/branches/{own_branch}/bases/{own_member}", Other: "/dues/branches/{other_branch}/bases/{other_member}", Want: only(get, 200, "secretary"), WantOther: with(only(get, 403), 404, "secretary")},
	"POST /dues/branches/{id}/bases/{member}": {Path: "/dues/branches/{own_branch}/bases/{own_member}", Other: "/dues/branches/{other_branch}/bases/{other_member}", Want: only(post, 422, "secretary"), WantOther: with(only(post, 403), 404, "secretary")},
	"GET /dues/branches/{id}/report":          {Path: "/dues/branches/{own_branch}/report", Other: "/dues/branches/{other_branch}/report", Want: only(get, 200, "secretary", "reviewer"), WantOther: with(only(get, 200, "reviewer"), 404, "secretary")},
	"GET /dues/branches/{id}/report.xlsx":     {Path: "/dues/branches/{own_branch}/report.xlsx", Other: "/dues/branches/{other_branch}/report.xlsx", Want: only(get, 200, "secretary", "reviewer"), WantOther: with(only(get, 200, "reviewer"), 404, "secretary")},

	// --- talk ---
	"GET /talks": {Want: only(get, 200, "secretary", "reviewer")},
	// The reviewer records the agency committee's own talks.
	"GET /talks/new":    {Want: only(get, 200, "secretary", "reviewer")},
	"POST /talks":       {Want: only(post, 422, "secretary", "reviewer")},
	"GET /talks/matrix": {Want: only(get, 200, "secretary", "reviewer")},
	// --- discipline (issue 19): purposeful talks ---
	"GET /talks/reminders":       {Want: only(get, 200, "secretary", "reviewer")},
	"GET /talks/{id}":            {Path: "/talks/{own_talk}", Other: "/talks/{other_talk}", Want: only(get, 200, "secretary", "reviewer"), WantOther: with(only(get, 200, "reviewer"), 404, "secretary")},
	"POST /talks/{id}/follow-up": {Path: "/talks/{own_talk}/follow-up", Other: "/talks/{other_talk}/follow-up", Want: only(post, 422, "secretary"), WantOther: with(only(post, 403, "reviewer"), 404, "secretary")},
	"GET /talks/mine":            {Want: with(only(get, 200, "member", "secretary", "reviewer"), 404, "admin", "security", "auditor")},
	// Disciplinary records: the branch secretary (and the committee's
	// discipline member) read and record, reviewers above read.
	"GET /discipline":             {Want: only(get, 200, "secretary", "reviewer")},
	"GET /discipline/new":         {Want: only(get, 200, "secretary")},
	"POST /discipline":            {Want: only(post, 422, "secretary")},
	"GET /discipline/{id}":        {Path: "/discipline/{own_sanction}", Other: "/discipline/{other_sanction}", Want: only(get, 200, "secretary", "reviewer"), WantOther: with(only(get, 200, "reviewer"), 404, "secretary")},
	"POST /discipline/{id}/close": {Path: "/discipline/{own_sanction}/close", Other: "/discipline/{other_sanction}/close", Want: only(post, 422, "secretary"), WantOther: with(only(post, 403, "reviewer"), 404, "secretary")},
	// Disposal cases: the branch records its steps, the reviewer above the approval.
	"GET /disposals":             {Want: only(get, 200, "secretary", "reviewer")},
	"GET /disposals/new":         {Want: only(get, 200, "secretary")},
	"POST /disposals":            {Want: only(post, 422, "secretary")},
	"GET /disposals/{id}":        {Path: "/disposals/{own_disposal}", Other: "/disposals/{other_disposal}", Want: only(get, 200, "secretary", "reviewer"), WantOther: with(only(get, 200, "reviewer"), 404, "secretary")},
	"POST /disposals/{id}/steps": {Path: "/disposals/{own_disposal}/steps", Other: "/disposals/{other_disposal}/steps", Want: only(post, 422, "secretary"), WantOther: with(only(post, 403, "reviewer"), 404, "secretary")},
	// Elections: the branch secretary records, the reviewer above decides.
	"GET /elections":                  {Want: only(get, 200, "secretary", "reviewer")},
	"GET /elections/new":              {Path: "/elections/new?org={own_branch}", Other: "/elections/new?org={other_branch}", Want: only(get, 200, "secretary"), WantOther: with(only(get, 403, "reviewer"), 404, "secretary")},
	"POST /elections":                 {Want: only(post, 404, "secretary", "reviewer")},
	"GET /elections/{id}":             {Path: "/elections/{own_election}", Other: "/elections/{other_election}", Want: only(get, 200, "secretary", "reviewer"), WantOther: with(only(get, 200, "reviewer"), 404, "secretary")},
	"POST /elections/{id}/decide":     {Path: "/elections/{own_election}/decide", Other: "/elections/{other_election}/decide", Want: only(post, 422, "reviewer"), WantOther: with(only(post, 422, "reviewer"), 404, "secretary")},
	"GET /admin/discipline-settings":  {Want: only(get, 200, "admin")},
	"POST /admin/discipline-settings": {Want: only(post, 422, "admin")},

	// --- recruit --- (the demo holds no transfer letter: a letter's own
	// branch and read-only access are tested in internal/recruit)
	"GET /recruitment": {Want: only(get, 200, "secretary", "reviewer")},
	// --- recruit2 --- own_recruit is the probationer's own file (issue 20:
	// a person in the pipeline reads their own, read only); every other
	// file is not found for someone without a role in the pipeline.
	"GET /recruitment/{id}":                    {Path: "/recruitment/{own_recruit}", Other: "/recruitment/{other_recruit}", Want: with(only(get, 200, "secretary", "reviewer", "probationer"), 404, "member"), WantOther: with(only(get, 200, "reviewer"), 404, "secretary", "member", "probationer")},
	"GET /recruitment/{id}/print":              {Path: "/recruitment/{own_recruit}/print", Other: "/recruitment/{other_recruit}/print", Want: with(only(get, 200, "secretary", "reviewer", "probationer"), 404, "member"), WantOther: with(only(get, 200, "reviewer"), 404, "secretary", "member", "probationer")},
	"GET /admin/recruit-rules":                 {Want: only(get, 200, "admin")},
	"POST /admin/recruit-rules":                {Want: only(post, 422, "admin")},
	"GET /recruitment/transfers":               {Want: only(get, 200, "secretary", "reviewer")},
	"POST /recruitment/transfers":              {Want: only(post, 422, "secretary", "reviewer")},
	"POST /recruitment/transfers/{id}/receipt": {Path: "/recruitment/transfers/{missing}/receipt", Want: only(post, 404, "secretary", "reviewer")},
	"GET /recruitment/transfers/{id}/print":    {Path: "/recruitment/transfers/{missing}/print", Want: only(get, 404, "secretary", "reviewer")},
	"POST /recruitment/{id}/steps":             {Path: "/recruitment/{own_recruit}/steps", Other: "/recruitment/{other_recruit}/steps", Want: only(post, 422, "secretary"), WantOther: with(only(post, 403), 404, "secretary")},

	// --- duesroll ---
	"GET /recruitment/import":               {Path: "/recruitment/import?branch={own_branch}", Other: "/recruitment/import?branch={other_branch}", Want: only(get, 200, "secretary"), WantOther: with(only(get, 403), 404, "secretary")},
	"POST /recruitment/import":              {Path: "/recruitment/import?branch={own_branch}", Other: "/recruitment/import?branch={other_branch}", Want: only(post, 422, "secretary"), WantOther: with(only(post, 403), 404, "secretary")},
	"POST /recruitment/import/commit":       {Path: "/recruitment/import/commit?branch={own_branch}", Other: "/recruitment/import/commit?branch={other_branch}", Want: only(post, 422, "secretary"), WantOther: with(only(post, 403), 404, "secretary")},
	"GET /recruitment/import/template.xlsx": {Want: only(get, 200, "secretary", "reviewer")},
	"GET /dues/rollup.xlsx":                 {Want: with(only(get, 200, "reviewer"), 404, "secretary")},
	"GET /admin/dues-settings":              {Want: only(get, 200, "admin")},
	"POST /admin/dues-settings":             {Want: only(post, 422, "admin")},

	// --- plans (issue 23) --- the committee publishes and reviews; a branch answers.
	"GET /plans/matrix":               {Want: only(get, 200, "reviewer")},
	"GET /plans/new":                  {Want: only(get, 200, "secretary", "reviewer")},
	"POST /plans":                     {Want: only(post, 422, "secretary", "reviewer")},
	"POST /plans/remind":              {Want: only(post, 303, "reviewer")},
	"GET /plans/answers/{id}":         {Path: "/plans/answers/{own_plan_open}", Other: "/plans/answers/{other_plan_open}", Want: only(get, 200, "secretary", "reviewer"), WantOther: with(only(get, 200, "reviewer"), 404, "secretary")},
	"POST /plans/answers/{id}":        {Path: "/plans/answers/{own_plan_open}", Other: "/plans/answers/{other_plan_open}", Want: with(only(post, 422, "secretary"), 403, "reviewer"), WantOther: with(only(post, 403, "reviewer"), 404, "secretary")},
	"POST /plans/answers/{id}/review": {Path: "/plans/answers/{own_plan_answered}/review", Other: "/plans/answers/{other_plan_answered}/review", Want: with(only(post, 422, "reviewer"), 403, "secretary"), WantOther: with(only(post, 422, "reviewer"), 404, "secretary")},
	// --- files ---
	"GET /plans/answers/{id}/files/{fid}": {Path: "/plans/answers/{own_plan_file}", Other: "/plans/answers/{other_plan_file}", Want: only(get, 200, "secretary", "reviewer"), WantOther: with(only(get, 200, "reviewer"), 404, "secretary")},
	// Grades: the committee grades; a branch reads its own and reports.
	"GET /grades":                                 {Want: only(get, 200, "secretary", "reviewer")},
	"GET /grades/branches/{id}":                   {Path: "/grades/branches/{own_branch}", Other: "/grades/branches/{other_branch}", Want: only(get, 200, "secretary", "reviewer"), WantOther: with(only(get, 200, "reviewer"), 404, "secretary")},
	"POST /grades/branches/{id}":                  {Path: "/grades/branches/{own_branch}", Other: "/grades/branches/{other_branch}", Want: with(only(post, 422, "reviewer"), 403, "secretary"), WantOther: with(only(post, 422, "reviewer"), 404, "secretary")},
	"GET /grades/plans/{id}":                      {Path: "/grades/plans/{other_grade_plan}", Want: with(only(get, 200, "reviewer"), 404, "secretary")},
	"POST /grades/plans/{id}/measures":            {Path: "/grades/plans/{other_grade_plan}/measures", Want: with(only(post, 422, "reviewer"), 404, "secretary")},
	"POST /grades/plans/{id}/measures/{mid}/done": {Path: "/grades/plans/{other_grade_plan}/measures/{missing}/done", Want: with(only(post, 409, "reviewer"), 404, "secretary")},
	"POST /grades/plans/{id}/notes":               {Path: "/grades/plans/{other_grade_plan}/notes", Want: with(only(post, 422, "reviewer"), 404, "secretary")},
	"POST /grades/plans/{id}/close":               {Path: "/grades/plans/{other_grade_plan}/close", Want: with(only(post, 422, "reviewer"), 404, "secretary")}, // --- consolidation ---
	"GET /grades/reports":                         {Want: only(get, 200, "secretary", "reviewer")},
	"POST /grades/reports":                        {Want: only(post, 422, "secretary")},
	"GET /grades/reports/{id}":                    {Path: "/grades/reports/{own_report}", Other: "/grades/reports/{other_report}", Want: only(get, 200, "secretary", "reviewer"), WantOther: with(only(get, 200, "reviewer"), 404, "secretary")},
	"POST /grades/reports/{id}/review":            {Path: "/grades/reports/{own_report}/review", Other: "/grades/reports/{other_report}/review", Want: with(only(post, 409, "reviewer"), 403, "secretary"), WantOther: with(only(post, 422, "reviewer"), 404, "secretary")},
	// --- commend ---
	"GET /commendations":                   {Want: only(get, 200, "secretary", "reviewer")},
	"GET /commendations/export.xlsx":       {Want: only(get, 200, "secretary", "reviewer")},
	"GET /commendations/new":               {Want: only(get, 200, "secretary", "reviewer")},
	"POST /commendations":                  {Want: only(post, 422, "secretary", "reviewer")},
	"GET /commendations/nominees":          {Want: only(get, 200, "secretary", "reviewer")},
	"POST /commendations/nominees/approve": {Want: only(post, 422, "reviewer")},

	// --- alerts ---
	"GET /alerts": {Want: signedIn(get, 200)},

	// --- review --- (reviewers rate their subtree; the branch's secretary reads and answers)
	"GET /review":                                       {Want: only(get, 200, "reviewer")},
	"GET /review/export.xlsx":                           {Want: only(get, 200, "reviewer")},
	"GET /review/branches/{id}":                         {Path: "/review/branches/{own_branch}", Other: "/review/branches/{other_branch}", Want: only(get, 200, "secretary", "reviewer"), WantOther: with(only(get, 200, "reviewer"), 404, "secretary")},
	"GET /review/branches/{id}/report":                  {Path: "/review/branches/{own_branch}/report", Other: "/review/branches/{other_branch}/report", Want: only(get, 200, "secretary", "reviewer"), WantOther: with(only(get, 200, "reviewer"), 404, "secretary")},
	"POST /review/branches/{id}/reviews":                {Path: "/review/branches/{own_branch}/reviews", Other: "/review/branches/{missing}/reviews", Want: only(post, 422, "reviewer"), WantOther: only(post, 404, "reviewer")},
	"POST /review/branches/{id}/reviews/{rid}/response": {Path: "/review/branches/{own_branch}/reviews/{missing}/response", Other: "/review/branches/{other_branch}/reviews/{missing}/response", Want: only(post, 404, "secretary", "reviewer"), WantOther: only(post, 404, "secretary", "reviewer")},
	// --- breach ---
	"GET /review/branches/{id}/year": {Path: "/review/branches/{own_branch}/year", Other: "/review/branches/{other_branch}/year", Want: only(get, 200, "secretary", "reviewer"), WantOther: with(only(get, 200, "reviewer"), 404, "secretary")},

	// --- rulescope --- (a reviewer's rule settings of the organisations in the committee's subtree; a missing one or a missing rule is 404)
	"GET /review/orgs/{id}/rules":                {Path: "/review/orgs/{own_branch}/rules", Other: "/review/orgs/{missing}/rules", Want: only(get, 200, "reviewer"), WantOther: only(get, 404, "reviewer")},
	"GET /review/orgs/{id}/rules/{code}":         {Path: "/review/orgs/{own_branch}/rules/party_day", Other: "/review/orgs/{own_branch}/rules/no_such_rule", Want: only(get, 200, "reviewer"), WantOther: only(get, 404, "reviewer")},
	"POST /review/orgs/{id}/rules/{code}":        {Path: "/review/orgs/{own_branch}/rules/party_day", Other: "/review/orgs/{missing}/rules/party_day", Want: only(post, 422, "reviewer"), WantOther: only(post, 404, "reviewer")},
	"POST /review/orgs/{id}/rules/{code}/remove": {Path: "/review/orgs/{own_branch}/rules/party_day/remove", Other: "/review/orgs/{missing}/rules/party_day/remove", Want: only(post, 404, "reviewer"), WantOther: only(post, 404, "reviewer")}, // the branch has no rule of its own to remove

	// --- rules --- (the system administrator keeps the rule set)
	"GET /admin/rules":             {Want: only(get, 200, "admin")},
	"GET /admin/rules/new":         {Want: only(get, 200, "admin")},
	"POST /admin/rules/new":        {Want: only(post, 422, "admin")},
	"POST /admin/rules/scale":      {Want: only(post, 422, "admin")},
	"POST /admin/rules/self-study": {Want: only(post, 422, "admin")},
	"GET /admin/rules/{code}":      {Path: "/admin/rules/committee_meeting", Other: "/admin/rules/no_such_rule", Want: only(get, 200, "admin"), WantOther: only(get, 404, "admin")},
	"POST /admin/rules/{code}":     {Path: "/admin/rules/committee_meeting", Other: "/admin/rules/no_such_rule", Want: only(post, 422, "admin"), WantOther: only(post, 404, "admin")},

	// --- audit --- (auditadmin only)
	"GET /audit":            {Want: only(get, 200, "auditor")},
	"GET /audit/export.csv": {Want: only(get, 200, "auditor")},

	// --- inspect, cases, notices (issue 23, part B) ---
	// own: the finished inspection of 办公室 (the secretary's branch); other:
	// the one of 财务处 and 综合规划处, in the reviewer's subtree only.
	"GET /inspections":                            {Want: only(get, 200, "secretary", "reviewer")},
	"GET /inspections/new":                        {Want: only(get, 200, "reviewer")},
	"POST /inspections":                           {Want: only(post, 422, "reviewer")},
	"GET /inspections/{id}":                       {Path: "/inspections/{own_insp}", Other: "/inspections/{other_insp}", Want: only(get, 200, "secretary", "reviewer"), WantOther: with(only(get, 200, "reviewer"), 404, "secretary")},
	"GET /inspections/{id}/branches/{branch}":     {Path: "/inspections/{own_insp}/branches/{insp_office}", Other: "/inspections/{other_insp}/branches/{insp_finance}", Want: only(get, 200, "secretary", "reviewer"), WantOther: with(only(get, 200, "reviewer"), 404, "secretary")},
	"POST /inspections/{id}/branches/{branch}":    {Path: "/inspections/{own_insp}/branches/{insp_office}", Other: "/inspections/{other_insp}/branches/{insp_finance}", Want: only(post, 303, "reviewer"), WantOther: with(only(post, 303, "reviewer"), 404, "secretary")},
	"POST /inspections/{id}/issue":                {Path: "/inspections/{own_insp}/issue", Other: "/inspections/{other_insp}/issue", Want: only(post, 422, "reviewer"), WantOther: with(only(post, 422, "reviewer"), 404, "secretary")},
	"POST /inspections/{id}/findings/{fid}/close": {Path: "/inspections/{own_insp}/findings/{own_finding}/close", Other: "/inspections/{other_insp}/findings/{other_finding}/close", Want: only(post, 422, "reviewer"), WantOther: with(only(post, 422, "reviewer"), 404, "secretary")},
	// Notices: own is 办公室's public notice up now; other is 财务处's.
	"GET /notices":                               {Want: signedIn(get, 200)},
	"GET /notices/new":                           {Want: only(get, 200, "secretary")},
	"POST /notices":                              {Want: only(post, 422, "secretary")},
	"GET /notices/{id}":                          {Path: "/notices/{own_notice}", Other: "/notices/{other_notice}", Want: with(signedIn(get, 404), 200, "member", "secretary", "reviewer"), WantOther: with(signedIn(get, 404), 200, "reviewer")},
	"POST /notices/{id}/objections":              {Path: "/notices/{own_notice}/objections", Other: "/notices/{other_notice}/objections", Want: with(with(signedIn(post, 404), 422, "member"), 403, "secretary", "reviewer"), WantOther: with(signedIn(post, 404), 403, "reviewer")},
	"POST /notices/{id}/objections/{oid}/answer": {Path: "/notices/{own_notice}/objections/{own_objection}/answer", Other: "/notices/{other_notice}/objections/{missing}/answer", Want: with(with(signedIn(post, 404), 422, "secretary"), 403, "member", "reviewer"), WantOther: with(signedIn(post, 404), 403, "reviewer")},
	// Cases: own is 办公室's featured case (in the library: everyone reads
	// it); other is 财务处's awaiting review (the reviewer's only).
	"GET /cases":              {Want: signedIn(get, 200)},
	"GET /cases/new":          {Want: only(get, 200, "secretary")},
	"POST /cases":             {Want: only(post, 422, "secretary")},
	"GET /cases/{id}":         {Path: "/cases/{own_case}", Other: "/cases/{other_case}", Want: signedIn(get, 200), WantOther: with(signedIn(get, 404), 200, "reviewer")},
	"POST /cases/{id}/decide": {Path: "/cases/{own_case}/decide", Other: "/cases/{other_case}/decide", Want: with(signedIn(post, 403), 422, "reviewer"), WantOther: with(signedIn(post, 404), 422, "reviewer")},
	"GET /cases/{id}/edit":    {Path: "/cases/{own_case}/edit", Other: "/cases/{other_case}/edit", Want: with(signedIn(get, 403), 303, "secretary"), WantOther: with(signedIn(get, 404), 403, "reviewer")},
	"POST /cases/{id}/edit":   {Path: "/cases/{own_case}/edit", Other: "/cases/{other_case}/edit", Want: with(signedIn(post, 403), 303, "secretary"), WantOther: with(signedIn(post, 404), 403, "reviewer")},
	// --- files: photos of a case ---
	"GET /cases/{id}/photos/{pid}":         {Path: "/cases/{own_case_photo}", Other: "/cases/{other_case_photo}", Want: signedIn(get, 200), WantOther: with(signedIn(get, 404), 200, "reviewer")},
	"POST /cases/{id}/photos":              {Path: "/cases/{own_case}/photos", Other: "/cases/{other_case}/photos", Want: with(signedIn(post, 403), 409, "secretary"), WantOther: with(signedIn(post, 404), 403, "reviewer")},
	"POST /cases/{id}/photos/{pid}/delete": {Path: "/cases/{own_case_photo}/delete", Other: "/cases/{other_case_photo}/delete", Want: with(signedIn(post, 403), 409, "secretary"), WantOther: with(signedIn(post, 404), 403, "reviewer")},
	"GET /vanguard":                        {Want: only(get, 200, "secretary", "reviewer")},
	"GET /vanguard/new":                    {Want: only(get, 200, "secretary")},
	"POST /vanguard":                       {Want: only(post, 422, "secretary")},
	"GET /vanguard/{id}":                   {Path: "/vanguard/{own_post}", Other: "/vanguard/{other_post}", Want: only(get, 200, "secretary", "reviewer"), WantOther: with(only(get, 200, "reviewer"), 404, "secretary")},
	"POST /vanguard/{id}/pledges":          {Path: "/vanguard/{own_post}/pledges", Other: "/vanguard/{other_post}/pledges", Want: only(post, 422, "secretary"), WantOther: with(only(post, 403, "reviewer"), 404, "secretary")},
	// --- leadgroup ---
	// Leadership groups: the committee's reviewers only; own is the demo's
	// 党组, other a missing group (a group of another committee is 404 too:
	// internal/leadgroup TestPagesAndScope). Empty forms are refused (422).
	"GET /leadership-groups":                            {Want: only(get, 200, "reviewer")},
	"GET /leadership-groups/new":                        {Want: only(get, 200, "reviewer")},
	"POST /leadership-groups":                           {Want: only(post, 422, "reviewer")},
	"GET /leadership-groups/{id}":                       {Path: "/leadership-groups/{own_lg}", Other: "/leadership-groups/{missing}", Want: only(get, 200, "reviewer"), WantOther: only(get, 404, "reviewer")},
	"GET /leadership-groups/{id}/print":                 {Path: "/leadership-groups/{own_lg}/print", Other: "/leadership-groups/{missing}/print", Want: only(get, 200, "reviewer"), WantOther: only(get, 404, "reviewer")},
	"GET /leadership-groups/{id}/edit":                  {Path: "/leadership-groups/{own_lg}/edit", Other: "/leadership-groups/{missing}/edit", Want: only(get, 200, "reviewer"), WantOther: only(get, 404, "reviewer")},
	"POST /leadership-groups/{id}/edit":                 {Path: "/leadership-groups/{own_lg}/edit", Other: "/leadership-groups/{missing}/edit", Want: only(post, 422, "reviewer"), WantOther: only(post, 404, "reviewer")},
	"POST /leadership-groups/{id}/members":              {Path: "/leadership-groups/{own_lg}/members", Other: "/leadership-groups/{missing}/members", Want: only(post, 422, "reviewer"), WantOther: only(post, 404, "reviewer")},
	"GET /leadership-groups/{id}/members/{mid}/edit":    {Path: "/leadership-groups/{own_lg}/members/{own_lg_member}/edit", Other: "/leadership-groups/{own_lg}/members/{missing}/edit", Want: only(get, 200, "reviewer"), WantOther: only(get, 404, "reviewer")},
	"POST /leadership-groups/{id}/members/{mid}/edit":   {Path: "/leadership-groups/{own_lg}/members/{own_lg_member}/edit", Other: "/leadership-groups/{own_lg}/members/{missing}/edit", Want: only(post, 422, "reviewer"), WantOther: only(post, 404, "reviewer")},
	"GET /leadership-groups/{id}/members/{mid}/remove":  {Path: "/leadership-groups/{own_lg}/members/{own_lg_member}/remove", Other: "/leadership-groups/{missing}/members/{own_lg_member}/remove", Want: only(get, 200, "reviewer"), WantOther: only(get, 404, "reviewer")},
	"POST /leadership-groups/{id}/members/{mid}/remove": {Path: "/leadership-groups/{own_lg}/members/{own_lg_member}/remove", Other: "/leadership-groups/{missing}/members/{own_lg_member}/remove", Want: only(post, 422, "reviewer"), WantOther: only(post, 404, "reviewer")},
}

// fixtures fills the placeholders of the table's paths.
func fixtures(t *testing.T, pool *pgxpool.Pool) map[string]string {
	t.Helper()
	ctx := context.Background()
	f := map[string]string{"{asset}": ui.Asset("favicon.svg"), "{missing}": "999999999"}
	var memberAccount int64
	if err := pool.QueryRow(ctx, `SELECT id FROM accounts WHERE username = 'member'`).Scan(&memberAccount); err != nil {
		t.Fatal(err)
	}
	f["{member_account}"] = strconv.FormatInt(memberAccount, 10)
	// Meetings: a submitted and a draft one of the secretary's branch, and
	// a submitted one of another branch (inside the reviewer's subtree).
	for key, q := range map[string]string{
		"{own_meeting}":   `SELECT m.id FROM meetings m JOIN account_roles r ON r.org_id = m.org_id JOIN accounts a ON a.id = r.account_id WHERE a.username = 'secretary' AND r.role = 'secretary' AND m.status = 'submitted' ORDER BY m.id LIMIT 1`,
		"{other_meeting}": `SELECT m.id FROM meetings m JOIN organisations o ON o.id = m.org_id WHERE o.kind = 'branch' AND o.name <> '办公室党支部' AND m.status = 'submitted' ORDER BY m.id LIMIT 1`,
	} {
		var id int64
		if err := pool.QueryRow(ctx, q).Scan(&id); err != nil {
			t.Fatalf("fixture %s: %v", key, err)
		}
		f[key] = strconv.FormatInt(id, 10)
	}
	for key, q := range map[string]string{
		"{own_branch}":      `SELECT r.org_id FROM account_roles r JOIN accounts a ON a.id = r.account_id WHERE a.username = 'secretary' AND r.role = 'secretary'`,
		"{other_branch}":    `SELECT id FROM organisations WHERE kind = 'branch' AND name <> '办公室党支部' ORDER BY id LIMIT 1`,
		"{own_member}":      `SELECT member_id FROM accounts WHERE username = 'member'`,
		"{own_recruit}":     `SELECT member_id FROM accounts WHERE username = 'probationer'`,
		"{other_recruit}":   `SELECT m.id FROM members m JOIN organisations o ON o.id = m.branch_id WHERE o.name <> '办公室党支部' AND in_pipeline(m.category, m.party_status) ORDER BY m.id LIMIT 1`,
		"{own_life}":        `SELECT l.id FROM life_meetings l JOIN organisations o ON o.id = l.org_id WHERE o.name = '办公室党支部' ORDER BY l.id LIMIT 1`,
		"{other_life}":      `SELECT l.id FROM life_meetings l WHERE l.kind = 'democratic_life' ORDER BY l.id LIMIT 1`,
		"{own_rect}":        `SELECT r.id FROM rectification_items r JOIN organisations o ON o.id = r.org_id WHERE o.name = '办公室党支部' ORDER BY r.id LIMIT 1`,
		"{other_rect}":      `SELECT r.id FROM rectification_items r JOIN organisations o ON o.id = r.org_id WHERE o.kind = 'committee' ORDER BY r.id LIMIT 1`,
		"{own_appraisal}":   `SELECT a.id FROM appraisals a JOIN organisations o ON o.id = a.branch_id WHERE o.name = '办公室党支部' ORDER BY a.id LIMIT 1`,
		"{other_appraisal}": `SELECT a.id FROM appraisals a JOIN organisations o ON o.id = a.branch_id WHERE o.name <> '办公室党支部' ORDER BY a.id LIMIT 1`,
		"{other_member}":    `SELECT m.id FROM members m JOIN organisations o ON o.id = m.branch_id WHERE o.name <> '办公室党支部' ORDER BY m.id LIMIT 1`,
	} {
		var id int64
		if err := pool.QueryRow(ctx, q).Scan(&id); err != nil {
			t.Fatalf("fixture %s: %v", key, err)
		}
		f[key] = strconv.FormatInt(id, 10)
	}
	// --- discipline (issue 19) ---
	for key, q := range map[string]string{
		"{own_talk}":       `SELECT t.id FROM talks t JOIN organisations o ON o.id = t.branch_id WHERE o.name = '办公室党支部' AND t.kind = 'reminder' AND t.outcome IS NULL ORDER BY t.id LIMIT 1`,
		"{other_talk}":     `SELECT t.id FROM talks t JOIN organisations o ON o.id = t.branch_id WHERE o.name = '财务处党支部' ORDER BY t.id LIMIT 1`,
		"{own_sanction}":   `SELECT s.id FROM sanctions s JOIN organisations o ON o.id = s.branch_id WHERE o.name = '办公室党支部' ORDER BY s.id LIMIT 1`,
		"{other_sanction}": `SELECT s.id FROM sanctions s JOIN organisations o ON o.id = s.branch_id WHERE o.name = '财务处党支部' ORDER BY s.id LIMIT 1`,
		"{own_disposal}":   `SELECT c.id FROM disposal_cases c JOIN organisations o ON o.id = c.branch_id WHERE o.name = '办公室党支部' ORDER BY c.id LIMIT 1`,
		"{other_disposal}": `SELECT c.id FROM disposal_cases c JOIN organisations o ON o.id = c.branch_id WHERE o.name = '财务处党支部' ORDER BY c.id LIMIT 1`,
		"{own_election}":   `SELECT e.id FROM elections e JOIN organisations o ON o.id = e.org_id WHERE o.name = '办公室党支部' ORDER BY e.id LIMIT 1`,
		"{other_election}": `SELECT e.id FROM elections e JOIN organisations o ON o.id = e.org_id WHERE o.name = '财务处党支部' ORDER BY e.id LIMIT 1`,
	} {
		var id int64
		if err := pool.QueryRow(ctx, q).Scan(&id); err != nil {
			t.Fatalf("fixture %s: %v", key, err)
		}
		f[key] = strconv.FormatInt(id, 10)
	}
	// --- plans (issue 23) ---
	for key, q := range map[string]string{
		"{own_plan_task}":       `SELECT id FROM plan_tasks WHERE title = '召开年度组织生活会'`,
		"{own_plan_open}":       `SELECT a.id FROM plan_answers a JOIN plan_tasks t ON t.id = a.task_id JOIN organisations o ON o.id = a.org_id WHERE t.title = '召开年度组织生活会' AND o.name = '办公室党支部'`,
		"{other_plan_open}":     `SELECT a.id FROM plan_answers a JOIN plan_tasks t ON t.id = a.task_id JOIN organisations o ON o.id = a.org_id WHERE t.title = '召开年度组织生活会' AND o.name = '财务处党支部'`,
		"{own_plan_answered}":   `SELECT a.id FROM plan_answers a JOIN plan_tasks t ON t.id = a.task_id JOIN organisations o ON o.id = a.org_id WHERE t.title = '报送年度组织生活会准备情况' AND o.name = '办公室党支部'`,
		"{other_plan_answered}": `SELECT a.id FROM plan_answers a JOIN plan_tasks t ON t.id = a.task_id JOIN organisations o ON o.id = a.org_id WHERE t.title = '报送年度组织生活会准备情况' AND o.name = '综合规划处党支部'`,
		"{other_grade_plan}":    `SELECT p.id FROM consolidation_plans p JOIN branch_grades g ON g.id = p.grade_id JOIN organisations o ON o.id = g.org_id WHERE o.name = '财务处党支部'`,
		"{own_report}":          `SELECT r.id FROM secretary_reports r JOIN organisations o ON o.id = r.org_id WHERE o.name = '办公室党支部' ORDER BY r.year LIMIT 1`,
		"{other_report}":        `SELECT r.id FROM secretary_reports r JOIN organisations o ON o.id = r.org_id WHERE o.name = '人事处党支部' AND r.reviewed_on IS NULL`,
		// --- inspect, cases, notices (issue 23, part B) ---
		"{own_insp}":      `SELECT i.id FROM inspections i WHERE i.status = 'closed' ORDER BY i.id LIMIT 1`,
		"{other_insp}":    `SELECT i.id FROM inspections i WHERE i.status = 'findings_issued' ORDER BY i.id LIMIT 1`,
		"{insp_office}":   `SELECT id FROM organisations WHERE name = '办公室党支部'`,
		"{insp_finance}":  `SELECT id FROM organisations WHERE name = '财务处党支部'`,
		"{own_finding}":   `SELECT f.id FROM inspection_findings f JOIN inspections i ON i.id = f.inspection_id JOIN organisations o ON o.id = f.branch_id WHERE i.status = 'closed' AND o.name = '办公室党支部' ORDER BY f.id LIMIT 1`,
		"{other_finding}": `SELECT f.id FROM inspection_findings f JOIN inspections i ON i.id = f.inspection_id WHERE i.status = 'findings_issued' AND f.rectification_id IS NOT NULL ORDER BY f.id LIMIT 1`,
		"{own_notice}":    `SELECT n.id FROM notices n JOIN organisations o ON o.id = n.branch_id WHERE o.name = '办公室党支部' AND n.kind = 'pre_target' AND current_date BETWEEN n.publish_from AND n.publish_to ORDER BY n.id LIMIT 1`,
		"{other_notice}":  `SELECT n.id FROM notices n JOIN organisations o ON o.id = n.branch_id WHERE o.name = '财务处党支部' ORDER BY n.id LIMIT 1`,
		"{own_objection}": `SELECT x.id FROM notice_objections x JOIN notices n ON n.id = x.notice_id JOIN organisations o ON o.id = n.branch_id WHERE o.name = '办公室党支部' AND x.answer IS NULL ORDER BY x.id LIMIT 1`,
		"{own_case}":      `SELECT c.id FROM cases c JOIN organisations o ON o.id = c.branch_id WHERE o.name = '办公室党支部' AND c.featured ORDER BY c.id LIMIT 1`,
		"{other_case}":    `SELECT c.id FROM cases c JOIN organisations o ON o.id = c.branch_id WHERE o.name = '财务处党支部' AND c.status = 'submitted' ORDER BY c.id LIMIT 1`,
		"{own_post}":      `SELECT p.id FROM vanguard_posts p JOIN organisations o ON o.id = p.branch_id WHERE o.name = '办公室党支部' ORDER BY p.id LIMIT 1`,
		"{other_post}":    `SELECT p.id FROM vanguard_posts p JOIN organisations o ON o.id = p.branch_id WHERE o.name = '财务处党支部' ORDER BY p.id LIMIT 1`,
	} {
		var id int64
		if err := pool.QueryRow(ctx, q).Scan(&id); err != nil {
			t.Fatalf("fixture %s: %v", key, err)
		}
		f[key] = strconv.FormatInt(id, 10)
	}
	var draft int64
	if err := pool.QueryRow(ctx, `
INSERT INTO meetings (org_id, kind, topic, starts_at, ends_at, status)
SELECT r.org_id, 'committee', '访问测试', now() - interval '1 day', now() - interval '1 day' + interval '1 hour', 'draft'
  FROM account_roles r JOIN accounts a ON a.id = r.account_id WHERE a.username = 'secretary' AND r.role = 'secretary'
RETURNING id`).Scan(&draft); err != nil {
		t.Fatal(err)
	}
	f["{own_draft}"] = strconv.FormatInt(draft, 10)
	// --- leadgroup ---
	var lg, lgMember int64
	if err := pool.QueryRow(ctx, `SELECT g.id, min(gm.id) FROM leadership_groups g JOIN leadership_group_members gm ON gm.group_id = g.id
 WHERE g.name = '示范机关党组' GROUP BY g.id`).Scan(&lg, &lgMember); err != nil {
		t.Fatal(err)
	}
	f["{own_lg}"], f["{own_lg_member}"] = strconv.FormatInt(lg, 10), strconv.FormatInt(lgMember, 10)
	// --- files: the demo's uploaded files, as "parent/kind/id" ---
	for key, q := range map[string]string{
		"{own_plan_file}":    `SELECT f.answer_id || '/files/' || f.id FROM plan_answer_files f JOIN plan_answers a ON a.id = f.answer_id JOIN organisations o ON o.id = a.org_id WHERE o.name = '办公室党支部' ORDER BY f.id LIMIT 1`,
		"{own_case_photo}":   `SELECT p.case_id || '/photos/' || p.id FROM case_photos p JOIN cases c ON c.id = p.case_id JOIN organisations o ON o.id = c.branch_id WHERE o.name = '办公室党支部' AND c.featured ORDER BY c.id, p.id LIMIT 1`,
		"{other_case_photo}": `SELECT p.case_id || '/photos/' || p.id FROM case_photos p JOIN cases c ON c.id = p.case_id JOIN organisations o ON o.id = c.branch_id WHERE o.name = '财务处党支部' AND c.status = 'submitted' ORDER BY c.id, p.id LIMIT 1`,
		"{other_plan_file}":  `SELECT f.answer_id || '/files/' || f.id FROM plan_answer_files f JOIN plan_answers a ON a.id = f.answer_id JOIN organisations o ON o.id = a.org_id WHERE o.name = '综合规划处党支部' ORDER BY f.id LIMIT 1`,
	} {
		var p string
		if err := pool.QueryRow(ctx, q).Scan(&p); err != nil {
			t.Fatalf("fixture %s: %v", key, err)
		}
		f[key] = p
	}
	return f
}

func fill(path string, f map[string]string) string {
	for k, v := range f {
		path = strings.ReplaceAll(path, k, v)
	}
	return path
}

func TestAccessMatrix(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	routes, ok := app.Server.Config.Handler.(chi.Routes)
	if !ok {
		t.Fatalf("the server's handler is a %T, not a chi router", app.Server.Config.Handler)
	}
	var keys []string
	err := chi.Walk(routes, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if method == http.MethodHead || (method != get && strings.HasPrefix(route, "/static/")) {
			return nil
		}
		keys = append(keys, method+" "+route)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	for _, k := range keys {
		if _, ok := accessTable[k]; !ok {
			t.Errorf("route %q has no row in the access matrix (internal/server/access_test.go)", k)
		}
	}
	for k := range accessTable {
		if !slices.Contains(keys, k) {
			t.Errorf("the access matrix has a row for %q, which is not a route", k)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	fx := fixtures(t, app.Pool)
	clients := map[string]*apptest.Client{}
	client := func(user string, fresh bool) *apptest.Client {
		if user == "anon" {
			return app.Anon(t)
		}
		if c, ok := clients[user]; ok && !fresh {
			return c
		}
		c := app.Login(t, user)
		if !fresh {
			clients[user] = c
		}
		return c
	}
	for _, k := range keys {
		method, pattern, _ := strings.Cut(k, " ")
		tc := accessTable[k]
		own := tc.Path
		if own == "" {
			own = pattern
		}
		paths := []struct {
			path string
			want want
			kind string
		}{{fill(own, fx), tc.Want, "own"}}
		if tc.Other != "" {
			paths = append(paths, struct {
				path string
				want want
				kind string
			}{fill(tc.Other, fx), tc.WantOther, "other"})
		}
		for _, p := range paths {
			for _, user := range append(slices.Clone(users), pipelineUser) {
				wantStatus, ok := p.want[user]
				if !ok && user == pipelineUser {
					wantStatus, ok = p.want["member"]
				}
				if !ok {
					t.Errorf("%s (%s): no expectation for %s", k, p.kind, user)
					continue
				}
				var r *apptest.Response
				if method == get {
					r = client(user, false).Get(p.path)
				} else {
					r = client(user, true).PostForm(p.path, nil)
				}
				if r.Status != wantStatus {
					t.Errorf("%s %s (%s record) as %s: status %d, want %d", method, p.path, p.kind, user, r.Status, wantStatus)
				}
			}
		}
	}
}
