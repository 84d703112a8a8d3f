package pipeline_test

import (
	"fmt"
	"strings"
	"testing"

	"sluice/internal/blob/blobtest"
	"sluice/internal/pipeline"
	"sluice/internal/store"
	"sluice/internal/store/postgres"
	"sluice/internal/store/postgres/pgtest"
)

func profileFile(name string, rows int) string {
	var b strings.Builder
	b.WriteString("identity,Name,Seq\n")
	for i := range rows {
		fmt.Fprintf(&b, "user-%d,%s,%d\n", i%50, name, i)
	}
	return b.String()
}

const nameManifest = `{"type": "profile", "fileName": %q, "clientEmail": "ops@example.com"}`

// TestAccountOrder: three imports of one account touching the same profiles
// run one at a time in manifest order, while another account's import runs
// alongside them; on each store.
func TestAccountOrder(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		blobs := newBlobs(t)
		gate := blobtest.NewGated(blobs, "B-1/", 64<<10)
		runAccountOrder(t, gate, startHarnessReading(t, open(t), blobs, gate, orderTune))
	})
}

// TestAccountOrderAcrossNodes: the same with two pipelines (two nodes) on
// one PostgreSQL database and one blob store, files uploaded through both.
func TestAccountOrderAcrossNodes(t *testing.T) {
	url := pgtest.URL(t)
	blobs := newBlobs(t)
	gate := blobtest.NewGated(blobs, "B-1/", 64<<10)
	var nodes []*harness
	for range 2 {
		st, err := postgres.Open(t.Context(), url, postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		nodes = append(nodes, startHarnessReading(t, st, blobs, gate, orderTune))
	}
	runAccountOrder(t, gate, nodes...)
}

func orderTune(c *pipeline.Config) { c.BatchRows = 500; c.Workers = 3 }

// runAccountOrder uploads through the nodes in turn and checks the order.
// Account B's import is held mid-file by the gate until account A's three
// have ended, so that it runs alongside them on any machine (timing alone
// once let it finish first on a loaded CI machine).
func runAccountOrder(t *testing.T, gate *blobtest.Gated, nodes ...*harness) {
	defer gate.Release()
	h := nodes[0]
	node := func(i int) *harness { return nodes[i%len(nodes)] }
	h.account("A-1")
	h.account("B-1")
	names := []string{"first", "second", "third"}
	for i, n := range names {
		node(i).upload("A-1", n+".csv", profileFile(n, 5000))
	}
	node(1).upload("B-1", "b.csv", profileFile("bee", 20000))
	node(1).upload("B-1", "b.manifest", fmt.Sprintf(nameManifest, "b.csv"))
	h.until("B-1", "b.manifest", "read rows", func(imp store.Import) bool { return imp.RowsRead > 0 })
	for i, n := range names {
		node(i+1).upload("A-1", n+".manifest", fmt.Sprintf(nameManifest, n+".csv"))
	}
	var a []store.Import
	for _, n := range names {
		a = append(a, h.ended("A-1", n+".manifest"))
	}
	if b := h.until("B-1", "b.manifest", "exist", func(store.Import) bool { return true }); b.Status != store.StatusProcessing {
		t.Fatalf("account B's import is %s while held mid-file, want processing", b.Status)
	}
	gate.Release()
	b := h.ended("B-1", "b.manifest")
	for i := 1; i < len(a); i++ {
		if a[i].StartedAt.Before(*a[i-1].FinishedAt) {
			t.Fatalf("import %d started at %s, before import %d finished at %s", a[i].ID, a[i].StartedAt, a[i-1].ID, a[i-1].FinishedAt)
		}
	}
	if !b.StartedAt.Before(*a[0].StartedAt) || !b.FinishedAt.After(*a[2].FinishedAt) {
		t.Fatalf("account B's import (%s–%s) did not run alongside account A's (%s–%s)",
			b.StartedAt, b.FinishedAt, a[0].StartedAt, a[2].FinishedAt)
	}
	if b.Status != store.StatusSucceeded || b.RowsImported != 20000 {
		t.Fatalf("account B's import ended %s with %d rows imported, want succeeded with 20000", b.Status, b.RowsImported)
	}
	if got := h.profile("A-1", "user-7").Props["Name"]; got.S != "third" {
		t.Fatalf("user-7's Name is %v, want the last import's", got)
	}
	if got := h.profile("B-1", "user-7").Props["Name"]; got.S != "bee" {
		t.Fatalf("account B's user-7 Name is %v", got)
	}
}

func TestEventPropertyLimit(t *testing.T) {
	h := newHarness(t, nil)
	h.account("A-1")
	cols, vals := []string{"identity", "evtName"}, []string{"u1", "E"}
	for i := range 101 {
		cols, vals = append(cols, fmt.Sprintf("p%d", i)), append(vals, "v")
	}
	hundred := append(append([]string(nil), vals[:102]...), "") // 100 properties filled, the 101st empty
	data := strings.Join(cols, ",") + "\n" + strings.Join(vals, ",") + "\n" + strings.Join(hundred, ",") + "\n"
	h.upload("A-1", "data.csv", data)
	h.upload("A-1", "m.manifest", `{"type": "event", "fileName": "data.csv", "clientEmail": "ops@example.com"}`)
	imp := h.ended("A-1", "m.manifest")
	if imp.RowsFailed != 1 || imp.RowsImported != 1 {
		t.Fatalf("%+v", imp)
	}
	if ef := h.errorFile(imp); !strings.HasSuffix(ef, ",Cannot have more than 100 event properties\n") {
		t.Fatalf("error file %q", ef[len(ef)-80:])
	}
}
