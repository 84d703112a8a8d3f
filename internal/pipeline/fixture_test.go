package pipeline_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"sluice/internal/pipeline"
	"sluice/internal/record"
	"sluice/internal/store"
)

// The two sample files of SPEC sections 3 and 4, written from the spec.
const (
	eventsCSV = "identity,ts,evtName,Amount,Currency,Category,Quantity,PaymentMode\r\n" +
		"user-1,1700000000,Purchased,199.99,INR,Books,2,UPI\r\n" +
		"user-2,1700000100,Purchased,49.50,INR,Music,1,Card\r\n" +
		"user-3,1700000200,Purchased,1200,USD,Electronics,1,Card\r\n" +
		"user-1,1700000300,Purchased,15.25,INR,Books,3,Wallet\r\n"
	eventsManifest = `{"type": "event", "fileName": "events.csv", "clientEmail": "data@example.com",
		"columns": {"Amount": {"dataType": "FLOAT"}, "Quantity": {"dataType": "INTEGER"}}}`

	profilesCSV = "identity,Name,Email,Phone,Playlist,Playlist.operation,Tier,Tier.operation,MSG-SMS,MSG-DNDSMS,DOB\n" +
		"user-1,Asha,asha@example.com,+919876543210,Rock,$add,gold,,true,false,15/08/1990\n" +
		"user-2,Ben,ben@example.com,+14155550100,Rock,$remove,silver,,false,true,\n" +
		"user-3,Chen,chen@example.com,,Jazz,$set,bronze,$delete,,,\n" +
		"user-4,Dia,dia@example.com,,Pop,$add,gold,,yes,no,\n" +
		"user-4,Diana,,,Indie,$add,,,,,\n"
	profilesManifest = "{\n\t\"type\" : \"Profile\",\n\t\"fileName\" : \"profiles.csv\",\n\t\"clientEmail\" : \"data@example.com\",\n" +
		"\t\"columns\" : {\n\t\t\"MSG-SMS\" : {\"ctName\" : \"MSG-sms\", \"dataType\" : \"BOOLEAN\"},\n" +
		"\t\t\"MSG-DNDSMS\" : {\"ctName\" : \"MSG-dndSMS\", \"dataType\" : \"boolean\"},\n" +
		"\t\t\"DOB\" : {\"dataType\" : \"DATE\", \"dateFormat\" : \"dd/MM/yyyy HH:mm:ss\"}\n\t}\n}\n"
)

func TestSampleEvents(t *testing.T) { eachStore(t, testSampleEvents) }

func testSampleEvents(t *testing.T, open opener) {
	h := newHarnessOn(t, open, nil)
	h.account("ACME-0001")
	h.upload("ACME-0001", "events.csv", eventsCSV)
	h.upload("ACME-0001", "events.manifest", eventsManifest)
	imp := h.ended("ACME-0001", "events.manifest")
	if imp.Status != store.StatusSucceeded || imp.RowsRead != 4 || imp.RowsImported != 4 || imp.RowsFailed != 0 ||
		imp.BytesRead != int64(len(eventsCSV)) || imp.SizeBytes != int64(len(eventsCSV)) {
		t.Fatalf("import: %+v", imp)
	}
	evs, err := h.st.ListEvents(t.Context(), "ACME-0001", store.EventFilter{Identifier: "user-1"})
	if err != nil || len(evs) != 2 {
		t.Fatalf("user-1 events: %+v %v", evs, err)
	}
	first := evs[1] // newest first
	want := record.Props{"Amount": record.Float(199.99), "Currency": record.String("INR"),
		"Category": record.String("Books"), "Quantity": record.Int(2), "PaymentMode": record.String("UPI")}
	if first.Name != "Purchased" || first.Time != 1700000000 || first.ImportID != imp.ID || first.Row != 1 ||
		!reflect.DeepEqual(first.Props, want) || !reflect.DeepEqual(first.Identifiers, []store.Identifier{{Kind: "identity", Value: "user-1"}}) {
		t.Fatalf("first event: %+v", first)
	}
	if p := h.profile("ACME-0001", "user-3"); len(p.Props) != 0 || len(p.Identifiers) != 1 {
		t.Fatalf("an event's user gets a profile with just its identifiers: %+v", p)
	}
	all, _ := h.st.ListEvents(t.Context(), "ACME-0001", store.EventFilter{})
	if len(all) != 4 {
		t.Fatalf("%d events stored, want 4", len(all))
	}
}

// TestSampleProfiles imports the profile sample with batches of one row,
// of three rows (user-4's two rows in different batches) and of all rows (both
// of user-4's rows folded in memory in one batch), on each store.
func TestSampleProfiles(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		for _, rows := range []int{1, 3, 1000} {
			t.Run(fmt.Sprintf("batch %d", rows), func(t *testing.T) { testSampleProfiles(t, open, rows) })
		}
	})
}

func testSampleProfiles(t *testing.T, open opener, batchRows int) {
	h := newHarnessOn(t, open, func(c *pipeline.Config) { c.BatchRows = batchRows })
	h.account("ACME-0001")
	h.upload("ACME-0001", "profiles.csv", profilesCSV)
	h.upload("ACME-0001", "profiles.manifest", profilesManifest)
	imp := h.ended("ACME-0001", "profiles.manifest")
	if imp.Status != store.StatusSucceeded || imp.RowsImported != 5 {
		t.Fatalf("import: %+v\n%s", imp, h.errorFile(imp))
	}
	dob := time.Date(1990, 8, 15, 0, 0, 1, 0, time.UTC).Unix()
	cases := []struct {
		ident string
		want  record.Props
	}{
		{"user-1", record.Props{"Name": record.String("Asha"), "Email": record.String("asha@example.com"),
			"Phone": record.String("+919876543210"), "Playlist": record.List([]string{"Rock"}), "Tier": record.String("gold"),
			"MSG-sms": record.Bool(true), "MSG-dndSMS": record.Bool(false), "DOB": record.Date(dob)}},
		{"user-2", record.Props{"Name": record.String("Ben"), "Email": record.String("ben@example.com"),
			"Phone": record.String("+14155550100"), "Tier": record.String("silver"),
			"MSG-sms": record.Bool(false), "MSG-dndSMS": record.Bool(true)}},
		{"user-3", record.Props{"Name": record.String("Chen"), "Email": record.String("chen@example.com"),
			"Playlist": record.String("Jazz")}},
		{"user-4", record.Props{"Name": record.String("Diana"), "Email": record.String("dia@example.com"),
			"Playlist": record.List([]string{"Pop", "Indie"}), "Tier": record.String("gold"),
			"MSG-sms": record.Bool(true), "MSG-dndSMS": record.Bool(false)}},
	}
	for _, c := range cases {
		t.Run(c.ident, func(t *testing.T) {
			p := h.profile("ACME-0001", c.ident)
			if !reflect.DeepEqual(p.Props, c.want) {
				t.Fatalf("props\n got %v\nwant %v", p.Props, c.want)
			}
		})
	}
}
