package hostkey

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// memStore is a store.HostKeys in memory.
type memStore map[string][]byte

func (m memStore) HostKey(_ context.Context, name string, create func() ([]byte, error)) ([]byte, error) {
	if b, ok := m[name]; ok {
		return b, nil
	}
	b, err := create()
	if err != nil {
		return nil, err
	}
	m[name] = b
	return b, nil
}

func TestFromStore(t *testing.T) {
	fromFiles := func(t *testing.T) (string, []string) {
		dir := t.TempDir()
		keys, err := LoadOrCreate(dir)
		if err != nil {
			t.Fatal(err)
		}
		return dir, fingerprintStrings(keys)
	}
	tests := []struct {
		name   string
		setup  func(t *testing.T) (dir string, want []string) // want nil: any new keys
		errHas string
	}{
		{"new install", func(t *testing.T) (string, []string) { return t.TempDir(), nil }, ""},
		{"upgrade imports key files", fromFiles, ""},
		{"unreadable key file is an error", func(t *testing.T) (string, []string) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "ssh_host_ed25519_key"), []byte("garbage"), 0o600)
			return dir, nil
		}, "import host key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, want := tc.setup(t)
			st := memStore{}
			first, err := FromStore(t.Context(), st, dir)
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) || len(st) != 0 {
					t.Fatalf("err = %v, stored %d keys; want %q and nothing stored", err, len(st), tc.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(first) != 2 || (want != nil && !slices.Equal(fingerprintStrings(first), want)) {
				t.Fatalf("keys %v, want %v", fingerprintStrings(first), want)
			}
			// Another node (or a restart) gets the same keys, whatever its folder holds.
			again, err := FromStore(t.Context(), st, t.TempDir())
			if err != nil || !slices.Equal(fingerprintStrings(again), fingerprintStrings(first)) {
				t.Fatalf("second node got %v, %v; want %v", fingerprintStrings(again), err, fingerprintStrings(first))
			}
		})
	}
}
