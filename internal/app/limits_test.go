package app

import (
	"flag"
	"io"
	"testing"
	"time"

	"zhibu/internal/server"
)

func TestLoginLimitSettingsFromEnvAndFlags(t *testing.T) {
	parse := func(env map[string]string, args ...string) (server.Deps, error) {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var l limitSettings
		var d server.Deps
		if err := limitFlags(fs, envOf(env), &l); err != nil {
			return d, err
		}
		if err := fs.Parse(args); err != nil {
			return d, err
		}
		return d, l.apply(&d)
	}
	d, err := parse(nil)
	if err != nil || d.LoginLimit != 20 || d.LoginWindow != 5*time.Minute || len(d.TrustedProxies) != 0 {
		t.Errorf("defaults: %d per %v, proxies %v, %v", d.LoginLimit, d.LoginWindow, d.TrustedProxies, err)
	}
	d, err = parse(map[string]string{"ZHIBU_LOGIN_LIMIT": "100", "ZHIBU_LOGIN_WINDOW": "1m", "ZHIBU_TRUSTED_PROXIES": "10.0.0.0/8,127.0.0.1"})
	if err != nil || d.LoginLimit != 100 || d.LoginWindow != time.Minute || d.TrustedProxies.String() != "10.0.0.0/8,127.0.0.1/32" {
		t.Errorf("from env: %d per %v, proxies %v, %v", d.LoginLimit, d.LoginWindow, d.TrustedProxies, err)
	}
	d, err = parse(map[string]string{"ZHIBU_LOGIN_LIMIT": "100"}, "--login-limit", "7", "--login-window", "2h", "--trusted-proxies", "192.168.0.0/16")
	if err != nil || d.LoginLimit != 7 || d.LoginWindow != 2*time.Hour || d.TrustedProxies.String() != "192.168.0.0/16" {
		t.Errorf("flags over env: %d per %v, proxies %v, %v", d.LoginLimit, d.LoginWindow, d.TrustedProxies, err)
	}
	for _, bad := range []map[string]string{{"ZHIBU_LOGIN_LIMIT": "many"}, {"ZHIBU_LOGIN_LIMIT": "0"}, {"ZHIBU_LOGIN_WINDOW": "soon"}, {"ZHIBU_TRUSTED_PROXIES": "proxy.example"}} {
		if _, err := parse(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
