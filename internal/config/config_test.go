package config

import (
	"flag"
	"strings"
	"testing"
	"time"
)

func TestValidateNotify(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Config)
		errHas string // empty: valid
	}{
		{"defaults", func(*Config) {}, ""},
		{"smtp with STARTTLS required", func(c *Config) { c.SMTPURL = "smtp://u:p@mail.example.com:587?starttls=required" }, ""},
		{"smtps", func(c *Config) { c.SMTPURL = "smtps://mail.example.com" }, ""},
		{"unknown starttls", func(c *Config) { c.SMTPURL = "smtp://h?starttls=yes" }, "must be required, opportunistic or none"},
		{"starttls on smtps", func(c *Config) { c.SMTPURL = "smtps://h?starttls=none" }, "smtp:// only"},
		{"password hidden in errors", func(c *Config) { c.SMTPURL = "imap://u:hunter2@h" }, "imap://u:xxxxx@h"},
		{"zero retry period", func(c *Config) { c.RetryFor = 0 }, "--notify-retry-for must be positive"},
		{"max below min", func(c *Config) { c.RetryMin, c.RetryMax = time.Hour, time.Minute }, "must not be below"},
		{"zero webhook timeout", func(c *Config) { c.WebhookTimeout = 0 }, "--webhook-timeout"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := Default()
			c.change(&cfg)
			err := cfg.Validate()
			if c.errHas == "" && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if c.errHas != "" && (err == nil || !strings.Contains(err.Error(), c.errHas)) {
				t.Fatalf("error %v, want one containing %q", err, c.errHas)
			}
		})
	}
}

func TestNotifyFlagsHaveEnvTwins(t *testing.T) {
	cfg := Default()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg.ServeFlags(fs)
	if err := fs.Parse([]string{"--smtp-from", "ops <ops@x.com>"}); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"SLUICE_SMTP_FROM": "ignored <i@x.com>", "SLUICE_NOTIFY_RETRY_FOR": "2h", "SLUICE_WEBHOOK_TIMEOUT": "3s"}
	if err := ApplyEnv(fs, func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
		t.Fatal(err)
	}
	if cfg.SMTPFrom != "ops <ops@x.com>" || cfg.RetryFor != 2*time.Hour || cfg.WebhookTimeout != 3*time.Second {
		t.Fatalf("flag beats env, env fills the rest: %+v", cfg)
	}
}
