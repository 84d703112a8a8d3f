package pipeline_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"sluice/internal/pipeline"
	"sluice/internal/store"
)

// deferredFile is a profile file with one identifier column: n rows over
// users, each setting, adding, removing or deleting something.
func deferredFile(n, users int) string {
	r := rand.New(rand.NewPCG(7, 8))
	genres := []string{"Rock", "Jazz", "Pop", "Folk"}
	listOps := []string{"$add", "$add", "$remove", "$set", ""}
	tierOps := []string{"", "", "$delete"}
	var b strings.Builder
	b.WriteString("identity,ts,Name,Score,Age,Vip,Playlist,Playlist.operation,Tier,Tier.operation\n")
	for i := range n {
		score, age, vip := "", "", ""
		if r.IntN(2) == 0 {
			score = fmt.Sprintf("%d.%d", r.IntN(100), r.IntN(10))
		}
		if r.IntN(3) == 0 {
			age = fmt.Sprint(18 + r.IntN(60))
		}
		if r.IntN(4) == 0 {
			vip = fmt.Sprint(r.IntN(2) == 0)
		}
		// ts in no order: a profile's updated time is the latest ts of the
		// last batch that changed it.
		fmt.Fprintf(&b, "user-%d,%d,Name %d,%s,%s,%s,%s,%s,tier-%d,%s\n", r.IntN(users), 1900000000+r.IntN(1e6), i, score, age, vip,
			genres[r.IntN(len(genres))], listOps[r.IntN(len(listOps))], r.IntN(3), tierOps[r.IntN(len(tierOps))])
	}
	return b.String()
}

const deferredManifest = `{"type": "profile", "fileName": %q, "clientEmail": "ops@example.com",
	"columns": {"Score": {"dataType": "FLOAT"}, "Age": {"dataType": "INTEGER"}, "Vip": {"dataType": "BOOLEAN"}}}`

// TestDeferredProfileChanges imports the same two profile files, the second
// changing profiles the first stored, with SQLite keeping the changes as
// operations (one identifier column) folded after every transaction, and
// folded only at the end, and on PostgreSQL, which rewrites each profile
// per batch. Every user ends the same on all three.
func TestDeferredProfileChanges(t *testing.T) {
	runs := []struct {
		name string
		open opener
		fold int
	}{
		{"sqlite, a fold after each transaction", openSQLite, 1},
		{"sqlite, one fold at the end", openSQLite, 0},
		{"postgres", openPostgres, 0},
	}
	first, second := deferredFile(60, 20), deferredFile(500, 30)
	var want map[string]store.Profile
	for _, run := range runs {
		t.Run(run.name, func(t *testing.T) {
			got := importTwice(t, run.open, run.fold, first, second)
			if len(got) != 30 {
				t.Fatalf("%d profiles, want 30", len(got))
			}
			if want == nil {
				want = got
				return
			}
			for id, w := range want {
				g := got[id]
				if !reflect.DeepEqual(g.Props, w.Props) || !g.UpdatedAt.Equal(w.UpdatedAt) {
					t.Fatalf("%s differs from the first run:\n got %v updated %v\nwant %v updated %v", id, g.Props, g.UpdatedAt, w.Props, w.UpdatedAt)
				}
			}
		})
	}
}

// importTwice imports first, then second, and returns each user's profile.
func importTwice(t *testing.T, open opener, fold int, first, second string) map[string]store.Profile {
	h := newHarnessOn(t, open, func(c *pipeline.Config) {
		c.BatchRows, c.ProfileFoldRows, c.Workers = 7, fold, 1
	})
	h.account("ACME-0001")
	for i, file := range []string{first, second} {
		name := fmt.Sprintf("p%d.csv", i)
		h.upload("ACME-0001", name, file)
		h.upload("ACME-0001", name+".manifest", fmt.Sprintf(deferredManifest, name))
		if imp := h.ended("ACME-0001", name+".manifest"); imp.Status != store.StatusSucceeded {
			t.Fatalf("import of %s: %+v\n%s", name, imp, h.errorFile(imp))
		}
	}
	out := map[string]store.Profile{}
	for u := range 30 {
		id := fmt.Sprintf("user-%d", u)
		out[id] = h.profile("ACME-0001", id)
	}
	return out
}
