// Command withpg runs a command against a throwaway PostgreSQL cluster:
//
//	go run ./internal/dbtest/withpg -- go test ./...
//
// It starts one ephemeral cluster (see pgcluster.MkdirTemp for where), sets
// TEST_DATABASE_URL for the command, runs it with stdin, stdout and stderr
// passed through, removes the cluster and exits with the command's exit
// code. SIGINT and SIGTERM are passed on to the command and the cluster is
// still removed. When TEST_DATABASE_URL is already set, the command simply
// runs against that server.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"zhibu/internal/pgcluster"
)

// envURL is the variable dbtest reads (dbtest.EnvURL; not imported here to
// keep package testing out of this binary).
const envURL = "TEST_DATABASE_URL"

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: withpg [--] command [args...]")
		return 2
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)

	if os.Getenv(envURL) != "" {
		return runChild(args, os.Environ(), sigs)
	}

	dir, err := pgcluster.MkdirTemp()
	if err != nil {
		fmt.Fprintln(os.Stderr, "withpg:", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	c, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Ephemeral: true})
	cancel()
	if err != nil {
		os.RemoveAll(dir)
		if errors.Is(err, pgcluster.ErrNoBinaries) {
			fmt.Fprintln(os.Stderr, pgcluster.ErrNoBinaries.Error())
		} else {
			fmt.Fprintln(os.Stderr, "withpg:", err)
		}
		return 1
	}
	remove := func() {
		if err := c.Remove(); err != nil {
			fmt.Fprintln(os.Stderr, "withpg:", err)
		}
	}
	select {
	case s := <-sigs: // interrupted while the cluster was starting
		remove()
		return 128 + int(s.(syscall.Signal))
	default:
	}
	url := c.URL("postgres")
	fmt.Fprintf(os.Stderr, "withpg: %s=%s\n", envURL, url)
	code := runChild(args, append(os.Environ(), envURL+"="+url), sigs)
	remove()
	return code
}

// runChild runs the command, passing signals on, and returns its exit code.
func runChild(args []string, env []string, sigs <-chan os.Signal) int {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = env
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "withpg:", err)
		return 127
	}
	done := make(chan struct{})
	go func() {
		var kill <-chan time.Time
		for {
			select {
			case <-done:
				return
			case s := <-sigs:
				cmd.Process.Signal(s)
				if kill == nil {
					kill = time.After(30 * time.Second)
				}
			case <-kill:
				fmt.Fprintln(os.Stderr, "withpg: command ignores the signal, killing it")
				cmd.Process.Kill()
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		fmt.Fprintln(os.Stderr, "withpg:", err)
		return 1
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ee.ExitCode()
}
