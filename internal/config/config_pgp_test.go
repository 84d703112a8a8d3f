package config

import (
	"flag"
	"path/filepath"
	"strings"
	"testing"
)

func TestPGPSettings(t *testing.T) {
	cases := []struct {
		name  string
		args  []string
		env   map[string]string
		err   string
		check func(c Config) bool
	}{
		{"defaults", nil, nil, "", func(c Config) bool {
			return c.MaxDecompressedSize == 50<<30 && c.MaxCompressionRatio == 200 && c.MaxPGPKeysPerAccount == 20 &&
				c.PGPKeyAlgorithm == "curve25519" && c.SecretKeyFile == filepath.Join(c.DataDir, "secret.key")
		}},
		{"flags", []string{"--max-decompressed-size", "1GiB", "--max-compression-ratio", "0", "--secret-key-file", "/etc/sluice.key"}, nil, "",
			func(c Config) bool {
				return c.MaxDecompressedSize == 1<<30 && c.MaxCompressionRatio == 0 && c.SecretKeyFile == "/etc/sluice.key"
			}},
		{"env twins", nil, map[string]string{"SLUICE_MAX_DECOMPRESSED_SIZE": "2GiB", "SLUICE_PGP_KEY_ALGORITHM": "rsa3072",
			"SLUICE_MAX_PGP_KEYS": "3"}, "", func(c Config) bool {
			return c.MaxDecompressedSize == 2<<30 && c.PGPKeyAlgorithm == "rsa3072" && c.MaxPGPKeysPerAccount == 3
		}},
		{"unknown algorithm", []string{"--pgp-key-algorithm", "dsa"}, nil, "--pgp-key-algorithm", nil},
		{"negative ratio", []string{"--max-compression-ratio", "-1"}, nil, "must not be negative", nil},
		{"no keys allowed", []string{"--max-pgp-keys", "0"}, nil, "--max-pgp-keys", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := Default()
			cfg.DataDir = t.TempDir()
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			cfg.ServeFlags(fs)
			if err := fs.Parse(c.args); err != nil {
				t.Fatal(err)
			}
			err := ApplyEnv(fs, func(k string) (string, bool) { v, ok := c.env[k]; return v, ok })
			if err == nil {
				err = cfg.Validate()
			}
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want %q", err, c.err)
				}
				return
			}
			if err != nil || !c.check(cfg) {
				t.Fatalf("config %+v, %v", cfg, err)
			}
		})
	}
}
