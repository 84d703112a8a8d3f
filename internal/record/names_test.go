package record

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestSpecialNames(t *testing.T) {
	tests := []struct {
		ctName, want string
	}{
		{"IDENTITY", "identity"}, {"objectid", "objectId"}, {"GUID", "objectId"},
		{"fbid", "fbId"}, {"GPID", "gpId"},
		{"email", "Email"}, {"PHONE", "Phone"}, {"name", "Name"},
		{"msg-SMS", "MSG-sms"}, {"MSG-EMAIL", "MSG-email"}, {"msg-whatsapp", "MSG-whatsapp"},
		{"msg-push", "MSG-push"}, {"msg-dndsms", "MSG-dndSMS"}, {"MSG-DNDPHONE", "MSG-dndSMS"},
		{"msg-dndwhatsapp", "MSG-dndWhatsApp"}, {"msg-dndemail", "MSG-dndEmail"},
	}
	for _, tt := range tests {
		t.Run(tt.ctName, func(t *testing.T) {
			c := MustConverter(t, "profile", cols("col=>"+tt.ctName), []string{"col", "identity2"}, nil)
			got := c.cols[0]
			if got.name != tt.want {
				t.Errorf("name = %q, want %q", got.name, tt.want)
			}
		})
	}
}

func TestSpecialColumnsWithoutManifest(t *testing.T) {
	c := MustConverter(t, "profile", nil, []string{"Identity", "GUID", "FBID", "gpid", "EMAIL", "msg-email", "TS"}, nil)
	row, reasons := c.Convert([]string{"i", "o", "f", "g", "a@b.co", "no", "1700000000"})
	if reasons != nil {
		t.Fatal(reasons)
	}
	want := []Identifier{{IDIdentity, "i"}, {IDObjectID, "o"}, {IDFbID, "f"}, {IDGpID, "g"}}
	if !reflect.DeepEqual(row.Identifiers, want) {
		t.Errorf("Identifiers = %v", row.Identifiers)
	}
	if row.TS != 1700000000 || row.Props["Email"].S != "a@b.co" || !reflect.DeepEqual(row.Props["MSG-email"], Bool(false)) {
		t.Errorf("row = %+v", row)
	}
}

func TestPropertyNames(t *testing.T) {
	const evMsg = ` must not contain any of % > < ! | & . : ; $ ' " \`
	tests := []struct {
		name, typ, ctName, want string
	}{
		{"120 chars", "event", strings.Repeat("n", 120), ""},
		{"120 chars multibyte", "event", strings.Repeat("ñ", 120), ""},
		{"121 chars", "event", strings.Repeat("ñ", 121), `Property name "` + strings.Repeat("ñ", 121) + `" (column "col") has 121 characters; at most 120 are allowed`},
		{"hash fine in events", "event", "a#b", ""},
		{"hash refused in profiles", "profile", "a#b", `Property name "a#b" (column "col") must not contain any of % > < ! | & . : ; $ ' " \ #`},
		{"space and dash fine", "profile", "Favourite colour-2", ""},
		{"NUL refused", "event", "a\x00b", `Property name "a\x00b" (column "col") contains a NUL character`},
	}
	for _, c := range `%><!|&.:;$'"\` {
		tests = append(tests, struct{ name, typ, ctName, want string }{
			"char " + string(c), "event", "a" + string(c) + "b", `Property name ` + strconv.Quote("a"+string(c)+"b") + ` (column "col")` + evMsg})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := MustConverter(t, tt.typ, cols("col=>"+tt.ctName), []string{"identity", "evtName", "col"}, nil)
			_, reasons := c.Convert([]string{"u1", "Bought", "v"})
			var want []string
			if tt.want != "" {
				want = []string{tt.want}
			}
			if !equalStrings(reasons, want) {
				t.Errorf("reasons = %q\nwant %q", reasons, want)
			}
		})
	}
}

func TestPropertyNameOnlyCheckedWhenFilled(t *testing.T) {
	c := MustConverter(t, "event", nil, []string{"identity", "evtName", "a.b"}, nil)
	if _, reasons := c.Convert([]string{"u1", "Bought", ""}); reasons != nil {
		t.Errorf("empty cell of a bad column: %q", reasons)
	}
	_, reasons := c.Convert([]string{"u1", "Bought", "x"})
	want := `Property name "a.b" must not contain any of % > < ! | & . : ; $ ' " \`
	if !equalStrings(reasons, []string{want}) {
		t.Errorf("reasons = %q", reasons)
	}
}

func TestRestrictedEventNames(t *testing.T) {
	names := []string{
		"Notification Sent", "Notification Viewed", "Notification Clicked",
		"Notification Delivered", "Notification Replied", "UTM Visited", "App Launched",
		"App Uninstalled", "App Version Changed", "Stayed", "Reply Sent",
		"Experiment Rendered", "Reachable By", "Identity Reset", "Identity Set", "Identity Error",
	}
	c := MustConverter(t, "event", nil, []string{"identity", "evtName"}, nil)
	for _, n := range names {
		for _, v := range []string{n, strings.ToUpper(n), strings.ToLower(n), strings.ReplaceAll(n, " ", ""), " " + strings.ReplaceAll(n, " ", "  ") + " ", strings.ReplaceAll(n, " ", "\t")} {
			if _, reasons := c.Convert([]string{"u1", v}); !equalStrings(reasons, []string{MsgRestricted}) {
				t.Errorf("%q: reasons = %q", v, reasons)
			}
		}
	}
	for _, v := range []string{"Notification", "App Launched 2", "Notification_Sent", "Charged", "App.Launched", strings.Repeat("Stayed", 10)} {
		if _, reasons := c.Convert([]string{"u1", v}); reasons != nil {
			t.Errorf("%q refused: %q", v, reasons)
		}
	}
}

func TestPlaceholders(t *testing.T) {
	list := []string{"undefined", "null", "na", "n/a", "0", "nil", "-1", "infinity",
		"-infinity", "inf", "-inf", "nan", "-nan", "empty", "xxxxxx", "none"}
	c := MustConverter(t, "profile", nil, []string{"identity", "objectId"}, nil)
	for _, p := range list {
		for _, v := range []string{p, strings.ToUpper(p), strings.ToUpper(p[:1]) + p[1:], " " + p + " "} {
			if _, reasons := c.Convert([]string{v, ""}); !equalStrings(reasons, []string{MsgIdentity}) {
				t.Errorf("%q alone: reasons = %q", v, reasons)
			}
			row, reasons := c.Convert([]string{v, "obj-1"})
			if reasons != nil || !reflect.DeepEqual(row.Identifiers, []Identifier{{IDObjectID, "obj-1"}}) {
				t.Errorf("%q beside a good one: %v %q", v, row.Identifiers, reasons)
			}
		}
	}
	for _, v := range []string{"00", "1", "-2", "nulls", "xxxxx", "xxxxxxx", "nonexistent"} {
		if _, reasons := c.Convert([]string{v, ""}); reasons != nil {
			t.Errorf("%q refused: %q", v, reasons)
		}
	}
}

func TestIdentifierLength(t *testing.T) {
	c := MustConverter(t, "event", nil, []string{"identity", "fbId", "evtName"}, nil)
	tests := []struct {
		name, identity, fbID string
		ok                   bool
	}{
		{"1023 chars", strings.Repeat("é", 1023), "", true},
		{"1024 chars", strings.Repeat("é", 1024), "", false},
		{"1024 chars beside a good one", strings.Repeat("a", 1024), "fb", false},
		{"none", "", "", false},
		{"only fbId", "", "fb", true},
		{"not utf8", "a\xff", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, reasons := c.Convert([]string{tt.identity, tt.fbID, "Bought"})
			if tt.ok != (reasons == nil) || !tt.ok && !equalStrings(reasons, []string{MsgIdentity}) {
				t.Errorf("reasons = %q", reasons)
			}
		})
	}
}

func TestEventNameNotUTF8(t *testing.T) {
	c := MustConverter(t, "event", nil, []string{"identity", "evtName"}, nil)
	if _, reasons := c.Convert([]string{"u1", "Bo\xffught"}); !equalStrings(reasons, []string{"evtName: value is not valid UTF-8 text"}) {
		t.Errorf("reasons = %q", reasons)
	}
}
