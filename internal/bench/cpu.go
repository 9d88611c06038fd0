package bench

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuSample is the CPU time used so far by this process (the server and
// the load generator) and by the PostgreSQL backends serving one database.
// On a shared machine the throughput of a phase depends on what else runs;
// its CPU time per request much less, so the harness reports both.
type cpuSample struct {
	self time.Duration
	db   map[int]time.Duration // by backend process id
}

// clockTick is the unit of utime and stime in /proc/<pid>/stat (USER_HZ,
// 100 on Linux).
const clockTick = 10 * time.Millisecond

// sampleCPU reads the CPU times; the database part sums the backends whose
// process title names database, autovacuum aside (Linux only; none
// elsewhere).
func sampleCPU(database string) cpuSample {
	s := cpuSample{db: map[int]time.Duration{}}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if database == "" {
		return s
	}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	needle := []byte(" " + database + " ")
	for _, d := range dirs {
		cmd, err := os.ReadFile(filepath.Join(d, "cmdline"))
		if err != nil || !bytes.HasPrefix(cmd, []byte("postgres: ")) || !bytes.Contains(cmd, needle) ||
			bytes.Contains(cmd, []byte("autovacuum")) {
			continue
		}
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join(d, "stat"))
		if err != nil {
			continue
		}
		// Fields after the command name in parentheses: state is field 3,
		// utime and stime are fields 14 and 15.
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(stat[i+1:]))
		if len(f) < 13 {
			continue
		}
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		s.db[pid] = time.Duration(ut+st) * clockTick
	}
	return s
}

// perRequest is the CPU time per request between two samples. A backend
// that started in between counts whole; one that ended is left out (the
// pool keeps its connections through a phase).
func perRequest(a, b cpuSample, requests int) (self, db time.Duration) {
	if requests <= 0 {
		return 0, 0
	}
	for pid, t := range b.db {
		db += t - a.db[pid]
	}
	return (b.self - a.self) / time.Duration(requests), db / time.Duration(requests)
}
