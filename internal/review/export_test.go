package review

import "time"

// SetNow sets the job's clock.
func (j *Jobs) SetNow(now func() time.Time) { j.now = now }

// Kicked reports (and takes) a pending Kick.
func (j *Jobs) Kicked() bool {
	select {
	case <-j.kick:
		return true
	default:
		return false
	}
}

// NotifyRuns makes Run send the subtrees it refreshed after each run.
func (j *Jobs) NotifyRuns(c chan int) { j.done = c }

// UntilNextRun is untilNextRun.
var UntilNextRun = untilNextRun
