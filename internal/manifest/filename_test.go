package manifest

import (
	"strings"
	"testing"
)

func TestFileNames(t *testing.T) {
	tests := []struct {
		name            string
		data, enc, comp bool
		base            string
	}{
		{"a.csv", true, false, false, "a"},
		{"A.CSV", true, false, false, "A"},
		{"a.csv.gz", true, false, true, "a"},
		{"a.csv.asc", true, true, false, "a"},
		{"a.csv.gpg", true, true, false, "a"},
		{"a.csv.pgp", true, true, false, "a"},
		{"a.csv.gz.asc", true, true, true, "a"},
		{"a.csv.gz.gpg", true, true, true, "a"},
		{"a.csv.gz.PGP", true, true, true, "a"},
		{"my file.v2.csv", true, false, false, "my file.v2"},
		{".csv", false, false, false, ""},
		{".csv.gz", false, false, true, ""},
		{"a.csv.gz.zip", false, false, false, "a.csv.gz.zip"},
		{"a.gpg", false, false, false, "a.gpg"},
		{"a.gz", false, false, false, "a.gz"},
		{"a.txt", false, false, false, "a.txt"},
		{"a.csv.manifest", false, false, false, "a.csv.manifest"},
		{"dir/a.csv", false, false, false, "dir/a"},
		{`dir\a.csv`, false, false, false, `dir\a`},
		{"a\x00.csv", false, false, false, "a\x00"},
		{"", false, false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsDataFileName(tt.name); got != tt.data {
				t.Errorf("IsDataFileName = %v, want %v", got, tt.data)
			}
			if got := Encrypted(tt.name); got != tt.enc {
				t.Errorf("Encrypted = %v, want %v", got, tt.enc)
			}
			if got := Compressed(tt.name); got != tt.comp {
				t.Errorf("Compressed = %v, want %v", got, tt.comp)
			}
			if got := BaseName(tt.name); got != tt.base {
				t.Errorf("BaseName = %q, want %q", got, tt.base)
			}
		})
	}
}

func TestValidEmail(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"ops@example.com", true},
		{"first.last+tag@mail.example.co.uk", true},
		{"o'brien_x-y@ex-ample.io", true},
		{"用户@例子.广告", true},
		{"a@b.cd", true},
		{"", false},
		{"ops", false},
		{"@example.com", false},
		{"ops@", false},
		{"ops@example", false},
		{"ops@localhost", false},
		{"ops@1.2.3.4", false},
		{"ops@[1.2.3.4]", false},
		{"ops@example.c", false},
		{"ops@-example.com", false},
		{"ops@example-.com", false},
		{"ops@exa_mple.com", false},
		{"ops@example..com", false},
		{".ops@example.com", false},
		{"ops.@example.com", false},
		{"o..ps@example.com", false},
		{"o ps@example.com", false},
		{" ops@example.com", false},
		{"a@b@example.com", false},
		{`"ops"@example.com`, false},
		{"Ops <ops@example.com>", false},
		{"ops@example.com\n", false},
		{"\xffops@example.com", false},
		{strings.Repeat("a", 64) + "@example.com", true},
		{strings.Repeat("a", 65) + "@example.com", false},
		{"a@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 63) + "." + strings.Repeat("e", 60), true}, // 254
		{"ab@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 63) + "." + strings.Repeat("e", 60), false},
		{"a@" + strings.Repeat("b", 64) + ".com", false},
	}
	for _, tt := range tests {
		if got := ValidEmail(tt.in); got != tt.ok {
			t.Errorf("ValidEmail(%q) = %v, want %v", tt.in, got, tt.ok)
		}
	}
}
