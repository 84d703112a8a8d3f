package manifest

import (
	"strings"
	"testing"
)

func TestParseProblems(t *testing.T) {
	const (
		ev  = `"type":"event",`
		fn  = `"fileName":"a.csv",`
		em  = `"clientEmail":"ops@example.com"`
		all = ev + fn + em
	)
	cols := func(c string) string { return `{` + all + `,"columns":{` + c + `}}` }
	exts := strings.Join(DataFileExtensions, ", ")
	formats := "dd/MM/yyyy HH:mm:ss, MM/dd/yyyy HH:mm:ss, yyyy/dd/MM HH:mm:ss, yyyy/MM/dd HH:mm:ss, dd MMM yyyy HH:mm:ss, Unix"
	tests := []struct {
		name, in string
		reason   string // exact, or prefix when it ends in "…"
		mail     bool
	}{
		// not valid JSON → no mail
		{"empty file", ``, "the manifest is empty; it must be a JSON object with type, fileName and clientEmail", false},
		{"only a bom", "\xef\xbb\xbf  ", "the manifest is empty; it must be a JSON object with type, fileName and clientEmail", false},
		{"syntax error", `{"type":"event",}`, "the manifest is not valid JSON (invalid character '}' looking for beginning of object key string at byte 17); it must be a JSON object with type, fileName and clientEmail", false},
		{"truncated", `{"type":"event"`, "the manifest is not valid JSON (unexpected end of JSON input at byte 15); it must be a JSON object with type, fileName and clientEmail", false},
		{"trailing garbage", `{` + all + `} x`, "the manifest is not valid JSON (invalid character 'x' after top-level value at byte 69); it must be a JSON object with type, fileName and clientEmail", false},
		{"array", `[1]`, "the manifest is an array, not a JSON object with type, fileName and clientEmail", false},
		{"string", `"x"`, "the manifest is a string, not a JSON object with type, fileName and clientEmail", false},
		{"null", ` null `, "the manifest is null, not a JSON object with type, fileName and clientEmail", false},
		{"boolean", `true`, "the manifest is a boolean, not a JSON object with type, fileName and clientEmail", false},
		{"number", `12`, "the manifest is a number, not a JSON object with type, fileName and clientEmail", false},
		// clientEmail → no mail, and it wins over later problems
		{"email missing", `{` + ev + fn + `"columns":5}`, "clientEmail is missing; it must be a valid email address such as ops@example.com", false},
		{"email null", `{` + ev + fn + `"clientEmail":null}`, "clientEmail is missing; it must be a valid email address such as ops@example.com", false},
		{"email invalid", `{"type":"x",` + fn + `"clientEmail":"ops@"}`, `clientEmail "ops@" is not a valid email address such as ops@example.com`, false},
		{"email display name", `{` + ev + fn + `"clientEmail":"Ops <ops@example.com>"}`, `clientEmail "Ops <ops@example.com>" is not a valid email address such as ops@example.com`, false},
		{"email number", `{` + ev + fn + `"clientEmail":5}`, "clientEmail is a number; it must be a valid email address such as ops@example.com", false},
		{"email twice", `{` + all + `,"ClientEmail":"b@example.com"}`, "clientEmail appears more than once (keys are case-insensitive); give it once, as a valid email address such as ops@example.com", false},
		// type → mail
		{"type missing", `{` + fn + em + `}`, "type is missing; it must be event or profile", true},
		{"type wrong", `{"type":"events",` + fn + em + `}`, `type "events" must be event or profile`, true},
		{"type boolean", `{"type":true,` + fn + em + `}`, "type is a boolean; it must be event or profile", true},
		{"type array", `{"type":["event"],` + fn + em + `}`, "type is an array; it must be event or profile", true},
		{"type twice", `{` + all + `,"Type":"profile"}`, "type appears more than once (keys are case-insensitive); give it once, as event or profile", true},
		{"type before fileName", `{"type":"x","fileName":"a.txt",` + em + `}`, `type "x" must be event or profile`, true},
		// fileName → mail
		{"fileName missing", `{` + ev + em + `}`, "fileName is missing; it must be the data file's name, ending in " + exts, true},
		{"fileName wrong ext", `{` + ev + `"fileName":"a.txt",` + em + `}`, `fileName "a.txt" is not the data file's name, ending in ` + exts, true},
		{"fileName bare ext", `{` + ev + `"fileName":".csv",` + em + `}`, `fileName ".csv" is not the data file's name, ending in ` + exts, true},
		{"fileName folder", `{` + ev + `"fileName":"in/a.csv",` + em + `}`, `fileName "in/a.csv" must be a plain file name, without folders`, true},
		{"fileName object", `{` + ev + `"fileName":{},` + em + `}`, "fileName is an object; it must be the data file's name, ending in " + exts, true},
		{"fileName number", `{` + ev + `"fileName":1,` + em + `}`, "fileName is a number; it must be the data file's name, ending in " + exts, true},
		// keyId → mail
		{"keyId missing", `{` + ev + `"fileName":"a.csv.gpg",` + em + `}`, `keyId is required for encrypted files (fileName "a.csv.gpg" ends in .gpg); give the id of the decryption key to use`, true},
		{"keyId missing gz asc", `{` + ev + `"fileName":"a.csv.gz.ASC",` + em + `}`, `keyId is required for encrypted files (fileName "a.csv.gz.ASC" ends in .ASC); give the id of the decryption key to use`, true},
		{"keyId empty", `{` + ev + `"fileName":"a.csv.pgp","keyId":" ",` + em + `}`, `keyId is empty; it must be the id of the decryption key for encrypted files (fileName "a.csv.pgp")`, true},
		{"keyId number", `{` + ev + `"fileName":"a.csv.asc","keyId":3,` + em + `}`, `keyId is a number; it must be the id of the decryption key for encrypted files (fileName "a.csv.asc")`, true},
		// columns → mail
		{"columns array", `{` + all + `,"columns":[]}`, `columns is an array; it must be an object mapping CSV column names to {"ctName", "dataType", "dateFormat"}`, true},
		{"columns twice", `{` + all + `,"columns":{},"Columns":{}}`, "columns appears more than once (keys are case-insensitive); give it once", true},
		{"column not object", cols(`"Age":"INTEGER"`), `column "Age" is a string; it must be an object with optional "ctName", "dataType" and "dateFormat"`, true},
		{"column empty name", cols(`"":{}`), "a column name in columns is empty; use the CSV header text as the key", true},
		{"column twice", cols(`"Age":{},"Age":{}`), `column "Age" appears more than once in columns`, true},
		{"ctName number", cols(`"Age":{"ctName":1}`), `ctName of column "Age" is a number; it must be a string`, true},
		{"dataType twice", cols(`"Age":{"dataType":"LONG","DataType":"LONG"}`), `dataType of column "Age" appears more than once (keys are case-insensitive)`, true},
		{"dataType unknown", cols(`"Age":{"dataType":"NUMBER"}`), `dataType "NUMBER" of column "Age" is not one of STRING, INTEGER, LONG, FLOAT, BOOLEAN, DATE`, true},
		{"dateFormat missing", cols(`"Born":{"dataType":"date"}`), `dateFormat of DATE column "Born" is missing; it must be one of ` + formats, true},
		{"dateFormat unknown", cols(`"Born":{"dataType":"DATE","dateFormat":"yyyy-MM-dd"}`), `dateFormat "yyyy-MM-dd" of column "Born" is not one of ` + formats, true},
		{"dateFormat alone unknown", cols(`"Born":{"dateFormat":"dd/MM/yyyy"}`), `dateFormat "dd/MM/yyyy" of column "Born" is not one of ` + formats, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, p := Parse([]byte(tt.in))
			if p == nil {
				t.Fatal("Parse accepted it")
			}
			if p.Reason != tt.reason {
				t.Errorf("Reason =\n%q\nwant\n%q", p.Reason, tt.reason)
			}
			if p.SendMail != tt.mail {
				t.Errorf("SendMail = %v, want %v", p.SendMail, tt.mail)
			}
			if tt.mail != (p.ClientEmail == "ops@example.com") {
				t.Errorf("ClientEmail = %q with SendMail %v", p.ClientEmail, tt.mail)
			}
			if p.NoDataFile {
				t.Error("NoDataFile set by Parse")
			}
		})
	}
}

func TestProblemKeepsWhatWasRead(t *testing.T) {
	_, p := Parse([]byte(`{"type":" Event ","fileName":" a.csv ","clientEmail":"nope"}`))
	if p == nil || p.Type != "event" || p.FileName != "a.csv" || p.ClientEmail != "" {
		t.Fatalf("Problem = %+v", p)
	}
	_, p = Parse([]byte(`{"type":"event","fileName":"a.txt","clientEmail":" ops@example.com "}`))
	if p == nil || p.FileName != "a.txt" || p.ClientEmail != "ops@example.com" || !p.SendMail {
		t.Fatalf("Problem = %+v", p)
	}
}
