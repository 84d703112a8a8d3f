package csvstream

import (
	"encoding/csv"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

type rec struct {
	fields []string
	raw    string
	err    string
}

func readAll(t testing.TB, in string) ([]rec, int64) {
	t.Helper()
	r := NewReader(strings.NewReader(in), 0)
	var out []rec
	for {
		f, raw, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, r.Offset()
		}
		var re *RecordError
		if err != nil && !errors.As(err, &re) {
			t.Fatalf("read: %v", err)
		}
		x := rec{fields: append([]string(nil), f...), raw: string(raw)}
		if re != nil {
			x.err, x.fields = re.Msg, nil
		}
		out = append(out, x)
	}
}

func TestRead(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []rec
	}{
		{"plain LF", "a,b\n1,2\n", []rec{{fields: []string{"a", "b"}, raw: "a,b"}, {fields: []string{"1", "2"}, raw: "1,2"}}},
		{"CRLF and no final newline", "a,b\r\n1,2", []rec{{fields: []string{"a", "b"}, raw: "a,b"}, {fields: []string{"1", "2"}, raw: "1,2"}}},
		{"BOM", "\xEF\xBB\xBFa,b\n", []rec{{fields: []string{"a", "b"}, raw: "a,b"}}},
		{"empty fields", ",,\n", []rec{{fields: []string{"", "", ""}, raw: ",,"}}},
		{"empty lines skipped", "a\n\n\r\nb\n", []rec{{fields: []string{"a"}, raw: "a"}, {fields: []string{"b"}, raw: "b"}}},
		{"quoted comma and quote", `"x,y","say ""hi""",z` + "\n", []rec{{fields: []string{"x,y", `say "hi"`, "z"}, raw: `"x,y","say ""hi""",z`}}},
		{"quoted newline", "\"line1\nline2\",b\nc,d\n", []rec{
			{fields: []string{"line1\nline2", "b"}, raw: "\"line1\nline2\",b"},
			{fields: []string{"c", "d"}, raw: "c,d"}}},
		{"quoted empty last", `a,""` + "\n", []rec{{fields: []string{"a", ""}, raw: `a,""`}}},
		{"bare quote refused, next row read", "5\" screen,b\nc,d\n", []rec{
			{raw: `5" screen,b`, err: "Row has a quote inside an unquoted field; quote the whole field and write the quote as \"\""},
			{fields: []string{"c", "d"}, raw: "c,d"}}},
		{"text after closing quote", `"a"b,c` + "\n", []rec{{raw: `"a"b,c`, err: "Row has text after a closing quote; inside a quoted field write a quote as \"\""}}},
		{"never closed", "a,\"b\nc,d\n", []rec{{raw: "a,\"b\nc,d", err: "Row has a quoted field that is never closed"}}},
		{"invalid utf8", "a,\xff\n", []rec{{raw: "a,\xff", err: "Row is not valid UTF-8 text"}}},
		{"NUL", "a,b\x00c\n", []rec{{raw: "a,b\x00c", err: "Row contains a NUL character, which is not text"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, off := readAll(t, c.in)
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got  %q\nwant %q", got, c.want)
			}
			if off != int64(len(c.in)) {
				t.Fatalf("offset %d, want %d", off, len(c.in))
			}
		})
	}
}

// TestResumeAtOffset reads part of a stream, then a new reader at the saved
// offset reads exactly the rest.
func TestResumeAtOffset(t *testing.T) {
	in := "h1,h2\n1,\"a\nb\"\n2,x\n3,y\n"
	r := NewReader(strings.NewReader(in), 0)
	for range 2 {
		if _, _, err := r.Read(); err != nil {
			t.Fatal(err)
		}
	}
	off := r.Offset()
	rest, _ := readAll(t, in[off:])
	r2 := NewReader(strings.NewReader(in[off:]), off)
	f, _, err := r2.Read()
	if err != nil || f[0] != "2" || len(rest) != 2 {
		t.Fatalf("resume at %d: %q %v (rest %q)", off, f, err, rest)
	}
	if r2.Offset() != off+int64(len("2,x\n")) {
		t.Fatalf("offset after resume %d", r2.Offset())
	}
}

// FuzzAgainstEncodingCSV: on input that encoding/csv reads without error, both
// readers give the same fields (modulo encoding/csv's \r\n→\n in quotes).
func FuzzAgainstEncodingCSV(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "\"x\"\"y\",z\n", "\"a\nb\",c\r\n", ",\n", "a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if strings.Contains(in, "\r") || strings.HasPrefix(in, "\xEF\xBB\xBF") {
			return
		}
		cr := csv.NewReader(strings.NewReader(in))
		cr.FieldsPerRecord = -1
		want, err := cr.ReadAll()
		if err != nil {
			return
		}
		got, off := readAll(t, in)
		if off != int64(len(in)) {
			t.Fatalf("offset %d of %d", off, len(in))
		}
		if len(got) != len(want) {
			t.Fatalf("%d records, encoding/csv %d: %q vs %q", len(got), len(want), got, want)
		}
		for i := range got {
			if got[i].err != "" && strings.ContainsRune(in, utf8RuneError) {
				continue
			}
			if !reflect.DeepEqual(got[i].fields, want[i]) {
				t.Fatalf("record %d: %q, encoding/csv %q", i, got[i].fields, want[i])
			}
		}
	})
}

const utf8RuneError = '\uFFFD'

func BenchmarkRead(b *testing.B) {
	row := "user-123456,1700000000,Purchased,199.99,INR,Books,2,UPI\n"
	in := strings.Repeat(row, 10000)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		r := NewReader(strings.NewReader(in), 0)
		for {
			if _, _, err := r.Read(); err != nil {
				break
			}
		}
	}
}
