package manifest

import (
	"slices"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"type":"event","fileName":"a.csv","clientEmail":"ops@example.com"}`,
		`{"type":"profile","fileName":"a.csv.gz.gpg","keyId":"k","clientEmail":"ops@example.com","columns":{"d":{"dataType":"date","dateFormat":"unix"},"x":{"ctName":"identity"}}}`,
		"\xef\xbb\xbf{\"TYPE\":\"Event\"}",
		`[]`, `{"columns":{"":null}}`, `{"clientEmail":"a@b.cd","clientemail":"a@b.cd"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, p := Parse(data)
		if p != nil {
			checkProblem(t, p)
			return
		}
		checkManifest(t, m)
	})
}

func checkProblem(t *testing.T, p *Problem) {
	if p.Reason == "" || !strings.HasPrefix(p.Error(), ProblemPrefix) {
		t.Fatalf("empty reason: %+v", p)
	}
	if p.SendMail != (p.ClientEmail != "") || (p.SendMail && !ValidEmail(p.ClientEmail)) {
		t.Fatalf("mail decision without a valid address: %+v", p)
	}
}

func checkManifest(t *testing.T, m Manifest) {
	if m.Type != TypeEvent && m.Type != TypeProfile {
		t.Fatalf("Type %q", m.Type)
	}
	if !IsDataFileName(m.FileName) || !ValidEmail(m.ClientEmail) || m.Columns == nil {
		t.Fatalf("accepted %+v", m)
	}
	if Encrypted(m.FileName) && m.KeyID == "" {
		t.Fatalf("encrypted without keyId: %+v", m)
	}
	for name, c := range m.Columns {
		if !slices.Contains(DataTypes, c.DataType) {
			t.Fatalf("column %q: DataType %q", name, c.DataType)
		}
		if (c.DataType == DataDate) != slices.Contains(DateFormats, c.DateFormat) {
			t.Fatalf("column %q: %+v", name, c)
		}
	}
}
