// Package config holds sluice's one Config struct, its defaults, and the
// flags (each with a SLUICE_* environment twin) that fill it.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"sluice/internal/cryptpgp"
	"sluice/internal/store"
)

// Config is every setting of a sluice process. It is built once and passed
// explicitly; nothing reads settings from globals.
type Config struct {
	DataDir     string // SQLite database, local blobs, host keys, outbox
	DatabaseURL string // empty: SQLite in DataDir; postgres://…: PostgreSQL
	BlobURL     string // empty: DataDir/files; s3://bucket?endpoint=…
	SFTPAddr    string
	HTTPAddr    string
	SMTPURL     string // empty: mails become .eml files in DataDir/outbox
	PublicURL   string // base URL of the dashboard used in mails and printed links
	SFTPHost    string // host name shown in connection instructions
	NodeID      string // names this node in leases and quota reservations; default host name + random
	LogLevel    string

	MaxKeysPerAccount int
	MaxDataFileSize   Size
	MaxManifestSize   Size
	AccountQuota      Size // 0: unlimited

	BanThreshold  int           // failed authentications from one address …
	BanWindow     time.Duration // … within this window …
	BanDuration   time.Duration // … refuse the address this long
	IdleTimeout   time.Duration // SFTP sessions with no traffic are closed
	KeyCheckEvery time.Duration // how often open sessions are checked against deleted keys

	Workers          int           // imports processed at once (different accounts)
	WaitTimeout      time.Duration // how long an import waits for its data file
	LeaseDuration    time.Duration // a worker's claim on an import; renewed while running
	BatchRows        int           // rows per batch (read, resolved and checkpointed together)
	ProfileBatchRows int           // the same for profile files, whose rows cost more memory
	ProfileFoldRows  int           // profile changes kept as operations are also folded after this many; 0: only at the end
	SQLiteCacheMiB   int           // page cache of the SQLite writer connection
	IdentityCacheMiB int           // per running import: the profile of each identifier seen; 0: none
	Retention        time.Duration // processed uploads are kept this long

	ProcessingMailEvery time.Duration // "still processing" mail interval
	AttachLimit         Size          // error files larger than this are linked, not attached

	SecretKeyFile        string        // server secret sealing PGP private keys; default <data-dir>/secret.key
	MaxPGPKeysPerAccount int           // decryption keys per account
	PGPKeyAlgorithm      string        // of generated keys: curve25519 or rsa3072
	MaxDecompressedSize  Size          // plaintext one compressed or encrypted import may expand to
	MaxCompressionRatio  int           // plaintext bytes per uploaded byte (after the first 16 MiB); 0: no cap
	SMTPFrom             string        // From of status mails; empty: sluice <noreply@PublicURL's host>
	SMTPTimeout          time.Duration // one SMTP conversation, dial to QUIT
	WebhookTimeout       time.Duration // one webhook POST, dial to response
	NotifyPoll           time.Duration // how often the notifier looks for new outbox items and due retries
	RetryMin             time.Duration // first retry delay; doubles each attempt …
	RetryMax             time.Duration // … up to this …
	RetryFor             time.Duration // … and a notification is given up this long after it was due
}

// Default returns the embedded defaults: `sluice serve` with no flags runs on these.
func Default() Config {
	return Config{
		DataDir:             "./sluice-data",
		SFTPAddr:            ":2022",
		HTTPAddr:            ":8080",
		LogLevel:            "info",
		MaxKeysPerAccount:   20,
		MaxDataFileSize:     5 << 30,
		MaxManifestSize:     1 << 20,
		BanThreshold:        10,
		BanWindow:           5 * time.Minute,
		BanDuration:         15 * time.Minute,
		IdleTimeout:         15 * time.Minute,
		KeyCheckEvery:       time.Second,
		Workers:             4,
		WaitTimeout:         15 * time.Minute,
		LeaseDuration:       30 * time.Second,
		BatchRows:           5000,
		ProfileBatchRows:    2500,
		SQLiteCacheMiB:      32,
		IdentityCacheMiB:    32,
		Retention:           7 * 24 * time.Hour,
		ProcessingMailEvery: 2 * time.Hour,
		AttachLimit:         10 << 20,

		MaxPGPKeysPerAccount: 20,
		PGPKeyAlgorithm:      "curve25519",
		MaxDecompressedSize:  50 << 30,
		MaxCompressionRatio:  200,
		SMTPTimeout:          30 * time.Second,
		WebhookTimeout:       10 * time.Second,
		NotifyPoll:           time.Second,
		RetryMin:             30 * time.Second,
		RetryMax:             time.Hour,
		RetryFor:             24 * time.Hour,
	}
}

// StoreFlags binds the settings every subcommand needs to reach the store.
func (c *Config) StoreFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "folder for the SQLite database, uploaded files, host keys and the mail outbox")
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "empty: SQLite in the data dir; postgres://…: PostgreSQL")
	fs.StringVar(&c.BlobURL, "blob-url", c.BlobURL, "where uploaded files live; empty: <data-dir>/files")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error")
}

// ServeFlags binds the settings of `sluice serve` (including StoreFlags).
func (c *Config) ServeFlags(fs *flag.FlagSet) {
	c.StoreFlags(fs)
	fs.StringVar(&c.SFTPAddr, "sftp-addr", c.SFTPAddr, "SFTP listen address")
	fs.StringVar(&c.HTTPAddr, "http-addr", c.HTTPAddr, "HTTP (API, dashboard, metrics) listen address")
	fs.StringVar(&c.SMTPURL, "smtp-url", c.SMTPURL, "smtp://user:pass@host:port or smtps://…; empty: write .eml files to <data-dir>/outbox")
	fs.StringVar(&c.PublicURL, "public-url", c.PublicURL, "dashboard base URL used in mails (default: http://localhost:<http port>)")
	fs.StringVar(&c.SFTPHost, "sftp-host", c.SFTPHost, "host name shown in connection instructions (default: this machine's name)")
	fs.StringVar(&c.NodeID, "node-id", c.NodeID, "this node's name in import leases and quota reservations, unique per node (default: host name + random)")
	fs.IntVar(&c.MaxKeysPerAccount, "max-keys", c.MaxKeysPerAccount, "import keys per account")
	fs.Var(&c.MaxDataFileSize, "max-file-size", "largest data file accepted (e.g. 5GiB)")
	fs.Var(&c.MaxManifestSize, "max-manifest-size", "largest manifest accepted")
	fs.Var(&c.AccountQuota, "account-quota", "disk quota per account for waiting files; 0 = unlimited")
	fs.IntVar(&c.BanThreshold, "ban-threshold", c.BanThreshold, "failed SSH logins from one address before it is banned")
	fs.DurationVar(&c.BanWindow, "ban-window", c.BanWindow, "window in which failed logins are counted")
	fs.DurationVar(&c.BanDuration, "ban-duration", c.BanDuration, "how long a banned address is refused")
	fs.DurationVar(&c.IdleTimeout, "idle-timeout", c.IdleTimeout, "close SFTP sessions idle this long")
	fs.DurationVar(&c.KeyCheckEvery, "key-check-interval", c.KeyCheckEvery, "how often open sessions are checked for deleted keys")
	fs.IntVar(&c.Workers, "workers", c.Workers, "imports processed in parallel (one per account at a time)")
	fs.DurationVar(&c.WaitTimeout, "wait-timeout", c.WaitTimeout, "how long an import waits for its data file")
	fs.DurationVar(&c.LeaseDuration, "lease", c.LeaseDuration, "worker lease on an import; a stale lease is taken over")
	fs.IntVar(&c.BatchRows, "batch-rows", c.BatchRows, "rows per batch (a transaction takes one batch or several)")
	fs.IntVar(&c.ProfileBatchRows, "profile-batch-rows", c.ProfileBatchRows, "rows per batch of a profile file")
	fs.IntVar(&c.ProfileFoldRows, "profile-fold-rows", c.ProfileFoldRows, "during a profile import, also fold the changes kept as operations into the profiles after this many (0: only at its end)")
	fs.IntVar(&c.SQLiteCacheMiB, "sqlite-cache-mib", c.SQLiteCacheMiB, "page cache of the SQLite writer in MiB")
	fs.IntVar(&c.IdentityCacheMiB, "identity-cache-mib", c.IdentityCacheMiB, "per running import, the most MiB that remember each identifier's profile (0: none)")
	fs.DurationVar(&c.Retention, "retention", c.Retention, "how long processed files are kept")
	fs.DurationVar(&c.ProcessingMailEvery, "processing-mail-interval", c.ProcessingMailEvery, "repeat the 'still processing' mail this often")
	fs.Var(&c.AttachLimit, "attach-limit", "error files larger than this are linked, not attached")
	c.PGPFlags(fs)
	c.DecodeFlags(fs)
	c.notifyFlags(fs)
}

// PGPFlags binds the settings of decryption keys (serve and pgp-key).
func (c *Config) PGPFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.SecretKeyFile, "secret-key-file", c.SecretKeyFile,
		"server secret that PGP private keys are sealed under; created (0600) if absent (default <data-dir>/secret.key)")
	fs.IntVar(&c.MaxPGPKeysPerAccount, "max-pgp-keys", c.MaxPGPKeysPerAccount, "PGP decryption keys per account")
	fs.StringVar(&c.PGPKeyAlgorithm, "pgp-key-algorithm", c.PGPKeyAlgorithm, "algorithm of generated PGP keys: curve25519 or rsa3072")
}

// DecodeFlags binds the limits on compressed and encrypted files (serve and validate).
func (c *Config) DecodeFlags(fs *flag.FlagSet) {
	fs.Var(&c.MaxDecompressedSize, "max-decompressed-size", "most plaintext one compressed or encrypted file may expand to (e.g. 50GiB)")
	fs.IntVar(&c.MaxCompressionRatio, "max-compression-ratio", c.MaxCompressionRatio,
		"most plaintext bytes per uploaded byte, checked after the first 16 MiB; 0 = no limit")
}

func (c *Config) notifyFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.SMTPFrom, "smtp-from", c.SMTPFrom, "From address of status mails (default: sluice <noreply@public-url host>)")
	fs.DurationVar(&c.SMTPTimeout, "smtp-timeout", c.SMTPTimeout, "time limit of one SMTP delivery, connect to QUIT")
	fs.DurationVar(&c.WebhookTimeout, "webhook-timeout", c.WebhookTimeout, "time limit of one webhook POST")
	fs.DurationVar(&c.NotifyPoll, "notify-poll-interval", c.NotifyPoll, "how often new notifications and due retries are looked for")
	fs.DurationVar(&c.RetryMin, "notify-retry-min", c.RetryMin, "delay before the first retry of a failed mail or webhook; doubles each time")
	fs.DurationVar(&c.RetryMax, "notify-retry-max", c.RetryMax, "longest delay between retries")
	fs.DurationVar(&c.RetryFor, "notify-retry-for", c.RetryFor, "give a notification up this long after it was due")
}

// ApplyEnv sets every flag of fs that was not given on the command line from
// its SLUICE_<NAME> environment variable. Call it after fs.Parse.
func ApplyEnv(fs *flag.FlagSet, lookup func(string) (string, bool)) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] {
			return
		}
		if v, ok := lookup(EnvName(f.Name)); ok {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %w", EnvName(f.Name), v, err))
			}
		}
	})
	return errors.Join(errs...)
}

// EnvName is the environment twin of a flag: data-dir → SLUICE_DATA_DIR.
func EnvName(flagName string) string {
	return "SLUICE_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Validate checks the settings and fills derived defaults.
func (c *Config) Validate() error {
	if c.DataDir == "" {
		return errors.New("--data-dir must not be empty")
	}
	abs, err := filepath.Abs(c.DataDir)
	if err != nil {
		return fmt.Errorf("--data-dir: %w", err)
	}
	c.DataDir = abs
	if c.NodeID == "" {
		c.NodeID = store.NewNodeID()
	}
	if c.Workers < 1 {
		return fmt.Errorf("--workers must be at least 1, got %d", c.Workers)
	}
	if c.BatchRows < 1 {
		return fmt.Errorf("--batch-rows must be at least 1, got %d", c.BatchRows)
	}
	if c.ProfileBatchRows < 1 {
		return fmt.Errorf("--profile-batch-rows must be at least 1, got %d", c.ProfileBatchRows)
	}
	if c.ProfileFoldRows < 0 {
		return fmt.Errorf("--profile-fold-rows must be 0 (only at the end) or more, got %d", c.ProfileFoldRows)
	}
	if c.IdentityCacheMiB < 0 {
		return fmt.Errorf("--identity-cache-mib must be 0 (no cache) or more, got %d", c.IdentityCacheMiB)
	}
	if c.SQLiteCacheMiB < 1 {
		return fmt.Errorf("--sqlite-cache-mib must be at least 1, got %d", c.SQLiteCacheMiB)
	}
	if c.MaxKeysPerAccount < 1 {
		return fmt.Errorf("--max-keys must be at least 1, got %d", c.MaxKeysPerAccount)
	}
	if err := c.validatePGP(); err != nil {
		return err
	}
	if err := c.validateSMTPURL(); err != nil {
		return err
	}
	return c.validateNotify()
}

func (c *Config) validateSMTPURL() error {
	if c.SMTPURL == "" {
		return nil
	}
	u, err := url.Parse(c.SMTPURL)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
		return fmt.Errorf("--smtp-url %q: expected smtp://[user:pass@]host:port or smtps://…", redact(c.SMTPURL))
	}
	switch st := u.Query().Get("starttls"); {
	case st == "":
	case u.Scheme == "smtps":
		return fmt.Errorf("--smtp-url: starttls=%s applies to smtp:// only; smtps:// is TLS from the start", st)
	case st != "required" && st != "opportunistic" && st != "none":
		return fmt.Errorf("--smtp-url: starttls=%q must be required, opportunistic or none", st)
	}
	return nil
}

// redact hides the password of a URL for error messages.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

func (c *Config) validateNotify() error {
	for _, d := range []struct {
		flag string
		v    time.Duration
	}{
		{"smtp-timeout", c.SMTPTimeout}, {"webhook-timeout", c.WebhookTimeout}, {"notify-poll-interval", c.NotifyPoll},
		{"notify-retry-min", c.RetryMin}, {"notify-retry-max", c.RetryMax}, {"notify-retry-for", c.RetryFor},
		{"processing-mail-interval", c.ProcessingMailEvery},
	} {
		if d.v <= 0 {
			return fmt.Errorf("--%s must be positive, got %v", d.flag, d.v)
		}
	}
	if c.RetryMax < c.RetryMin {
		return fmt.Errorf("--notify-retry-max (%v) must not be below --notify-retry-min (%v)", c.RetryMax, c.RetryMin)
	}
	return nil
}

func (c *Config) validatePGP() error {
	if c.SecretKeyFile == "" {
		c.SecretKeyFile = filepath.Join(c.DataDir, "secret.key")
	}
	if c.MaxPGPKeysPerAccount < 1 {
		return fmt.Errorf("--max-pgp-keys must be at least 1, got %d", c.MaxPGPKeysPerAccount)
	}
	if _, err := cryptpgp.ParseAlgorithm(c.PGPKeyAlgorithm); err != nil { // what key generation will parse
		return fmt.Errorf("--pgp-key-algorithm: %w", err)
	}
	if c.MaxCompressionRatio < 0 || c.MaxDecompressedSize < 0 {
		return errors.New("--max-compression-ratio and --max-decompressed-size must not be negative")
	}
	return nil
}

// LookupEnv is os.LookupEnv, named so callers can pass a fake in tests.
func LookupEnv(name string) (string, bool) { return os.LookupEnv(name) }
