package app

import (
	"flag"
	"fmt"
	"strconv"
	"time"

	"zhibu/internal/ratelimit"
	"zhibu/internal/server"
)

// limitSettings are serve's settings for the sign-in rate limit and the
// reverse proxies in front of it.
type limitSettings struct {
	loginLimit  int
	loginWindow time.Duration
	proxies     string
}

// limitFlags declares the settings' flags on fs, with defaults from env.
func limitFlags(fs *flag.FlagSet, env Env, l *limitSettings) error {
	limit, window, proxies := 20, 5*time.Minute, ""
	if v, ok := env("ZHIBU_LOGIN_LIMIT"); ok && v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("ZHIBU_LOGIN_LIMIT %q: want a whole number", v)
		}
		limit = n
	}
	if v, ok := env("ZHIBU_LOGIN_WINDOW"); ok && v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("ZHIBU_LOGIN_WINDOW %q: want a duration such as 5m", v)
		}
		window = d
	}
	if v, ok := env("ZHIBU_TRUSTED_PROXIES"); ok {
		proxies = v
	}
	fs.IntVar(&l.loginLimit, "login-limit", limit, "sign-in attempts one client address may make per window (env ZHIBU_LOGIN_LIMIT)")
	fs.DurationVar(&l.loginWindow, "login-window", window, "the sign-in limit's window (env ZHIBU_LOGIN_WINDOW)")
	fs.StringVar(&l.proxies, "trusted-proxies", proxies, "comma-separated addresses or CIDRs of the reverse proxies whose X-Forwarded-For / X-Real-IP name the client; empty: those headers are ignored (env ZHIBU_TRUSTED_PROXIES)")
	return nil
}

// apply checks the settings and puts them into d.
func (l limitSettings) apply(d *server.Deps) error {
	if l.loginLimit < 1 {
		return fmt.Errorf("login limit %d: want at least 1", l.loginLimit)
	}
	if l.loginWindow < time.Second {
		return fmt.Errorf("login window %v: want at least 1s", l.loginWindow)
	}
	p, err := ratelimit.ParseProxies(l.proxies)
	if err != nil {
		return err
	}
	d.LoginLimit, d.LoginWindow, d.TrustedProxies = l.loginLimit, l.loginWindow, p
	return nil
}
