package record

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"sluice/internal/manifest"
)

// FuzzConvert builds a converter from a fuzzed header and column specs
// ("name=TYPE|format>ctName" lines) and checks what Convert lets through.
func FuzzConvert(f *testing.F) {
	f.Add(false, "identity,ts,evtName,Amount,Qty", "u1,1735689599,Charged,12.5,2", "Amount=FLOAT\nQty=INTEGER", true)
	f.Add(true, "identity,Tags,Tags.operation,Email,Phone,Born", "u1,Rock,$add,a@b.co,+14155552671,01/02/2024", "Born=DATE|dd/MM/yyyy HH:mm:ss", true)
	f.Add(true, "guid,a.operation,ts", "null,$delete,$D_5", "", false)
	f.Add(false, "id,evtName,x", "u,App Launched,$D_1", "id=>identity\nx=BOOLEAN", true)
	f.Fuzz(func(t *testing.T, profile bool, header, row, specs string, exact bool) {
		typ := manifest.TypeEvent
		if profile {
			typ = manifest.TypeProfile
		}
		m := manifest.Manifest{Type: typ, ClientEmail: "ops@example.com", Columns: cols(strings.Split(specs, "\n")...)}
		c, err := NewConverter(m, strings.Split(header, ","), nil)
		if err != nil {
			return
		}
		fields := strings.Split(row, ",")
		if exact {
			fields = append(fields, make([]string, max(0, c.width-len(fields)))...)[:c.width]
		}
		got, reasons := c.Convert(fields)
		again, reasons2 := c.Convert(fields)
		if !reflect.DeepEqual(got, again) || !equalStrings(reasons, reasons2) {
			t.Fatalf("not deterministic: %+v %q / %+v %q", got, reasons, again, reasons2)
		}
		if len(reasons) == 0 {
			checkRow(t, c, got)
		}
		for _, r := range reasons {
			if r == "" {
				t.Fatal("empty reason")
			}
		}
	})
}

func checkRow(t *testing.T, c *Converter, r Row) {
	checkIdentifiers(t, r.Identifiers)
	if r.TS < 0 || r.Props == nil {
		t.Fatalf("row %+v", r)
	}
	if !c.profile && (r.EventName == "" || isRestricted(r.EventName) || len(r.Props) > MaxEventProps || r.Ops != nil) {
		t.Fatalf("event row %+v", r)
	}
	for name, v := range r.Props {
		checkProp(t, c.profile, name, v)
	}
	for _, op := range r.Ops {
		checkProp(t, true, op.Name, op.Value)
		if op.Kind == OpSet && !reflect.DeepEqual(r.Props[op.Name], op.Value) {
			t.Fatalf("$set %q not in Props", op.Name)
		}
	}
}

func checkIdentifiers(t *testing.T, ids []Identifier) {
	if len(ids) == 0 {
		t.Fatal("row without identifiers")
	}
	for i, id := range ids {
		if id.Value == "" || isPlaceholder(id.Value) || trim(id.Value) != id.Value ||
			utf8.RuneCountInString(id.Value) > MaxIdentityChars || !utf8.ValidString(id.Value) {
			t.Fatalf("identifier %q", id.Value)
		}
		if i > 0 && identOrder[ids[i-1].Kind] >= identOrder[id.Kind] {
			t.Fatalf("identifiers out of order: %v", ids)
		}
	}
}

func checkProp(t *testing.T, profile bool, name string, v Value) {
	if nameProblem(name, name, profile) != "" {
		t.Fatalf("property name %q let through", name)
	}
	switch v.Kind {
	case 0: // $delete carries no value
	case KindString:
		if v.S == "" || !utf8.ValidString(v.S) || utf8.RuneCountInString(v.S) > MaxStringChars || strings.HasPrefix(trim(v.S), datePrefix) {
			t.Fatalf("string %q", v.S)
		}
	case KindInt, KindFloat, KindBool, KindDate:
	default:
		t.Fatalf("value kind %d", v.Kind)
	}
}

// FuzzApplyOps runs two-byte ops (kind and name, value) over a profile, and
// checks the list rules after each op and that a clone taken midway is
// never disturbed.
func FuzzApplyOps(f *testing.F) {
	f.Add([]byte{1, 1, 1, 2, 2, 1, 3, 1})
	f.Add([]byte(strings.Repeat("\x01\x05\x01\x06\x01\x07", 60)))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := Props{}
		var clone, frozen Props
		for i := 0; i+1 < len(data); i += 2 {
			if i == len(data)/2&^1 {
				clone, frozen = p.Clone(), p.Clone()
			}
			ApplyOps(p, []Op{fuzzOp(data[i], data[i+1])})
			checkLists(t, p)
		}
		if clone != nil {
			ApplyOps(clone, nil)
			if !reflect.DeepEqual(clone, frozen) {
				t.Fatalf("clone changed: %v\nwas %v", clone, frozen)
			}
		}
	})
}

func fuzzOp(a, b byte) Op {
	op := Op{Kind: OpKind(a % 5), Name: string('a' + rune(a/5%3))}
	switch b % 4 {
	case 0:
		op.Value = String(strconv.Itoa(int(b)))
	case 1:
		op.Value = Int(int64(b))
	case 2:
		op.Value = List([]string{strconv.Itoa(int(b)), strconv.Itoa(int(b) / 2), ""})
	default:
		op.Value = String("")
	}
	return op
}

func checkLists(t *testing.T, p Props) {
	for name, v := range p {
		if v.Kind != KindList {
			continue
		}
		if len(v.L) == 0 || len(v.L) > MaxListItems {
			t.Fatalf("%s: %d items", name, len(v.L))
		}
		seen := map[string]bool{}
		for _, s := range v.L {
			if s == "" || seen[s] {
				t.Fatalf("%s: %q in %q", name, s, v.L)
			}
			seen[s] = true
		}
	}
}
