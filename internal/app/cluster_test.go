package app_test

import (
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"sluice/internal/apptest"
	"sluice/internal/httpapi"
	"sluice/internal/store"
	"sluice/internal/weedtest"
)

// cluster is two `sluice serve` processes on one store and one S3 bucket.
type cluster struct {
	nodes [2]*apptest.Proc
	accts [2]*apptest.Account // the same account, through each node
	db    *sql.DB             // the shared store, for counting rows
	ph    func(int) string    // the store's query placeholder
}

// backend is a shared store for the cluster: its serve flags, the data dir
// the nodes share (SQLite only), and a read connection.
type backend struct {
	name  string
	setup func(t *testing.T) (args []string, sharedDir string, db *sql.DB)
	ph    func(int) string
}

func startCluster(t *testing.T, b backend) *cluster {
	args, shared, db := b.setup(t)
	args = append(args, "--blob-url", weedtest.URL(t), "--lease", "3s", "--batch-rows", "5000", "--workers", "2")
	c := &cluster{db: db, ph: b.ph}
	for i := range c.nodes {
		c.nodes[i] = apptest.NewProc(t, append(args, "--node-id", fmt.Sprintf("node%d", i+1))...)
		if shared != "" {
			c.nodes[i].DataDir = shared
		}
	}
	c.nodes[0].Start()
	id, token := c.nodes[0].FirstAccount()
	c.nodes[1].Start()
	pub, keyPath := apptest.NewKeyFile(t)
	for i, n := range c.nodes {
		c.accts[i] = n.Env().Account(id, token, keyPath)
	}
	if code := c.accts[1].API("POST", "/api/v1/keys", map[string]string{"name": "ci", "publicKey": pub}, nil); code != http.StatusCreated {
		t.Fatalf("add key through node 2: status %d", code)
	}
	return c
}

// owner is the node whose worker holds an import's lease ("" when none
// does: the store clears it when the import ends).
func (c *cluster) owner(t *testing.T, importID int64) string {
	t.Helper()
	var owner string
	if err := c.db.QueryRow(`SELECT lease_owner FROM imports WHERE id = `+c.ph(1), importID).Scan(&owner); err != nil {
		t.Fatal(err)
	}
	node, _, _ := strings.Cut(owner, "/")
	return node
}

// ownerOf is owner, or "" for an import not seen yet (id 0).
func (c *cluster) ownerOf(t *testing.T, importID int64) string {
	if importID == 0 {
		return ""
	}
	return c.owner(t, importID)
}

// await waits for the imports of the manifests to end, through node i's
// API, noting which nodes held each one's lease meanwhile (polled, so a
// short hold may be missed).
func (c *cluster) await(t *testing.T, i int, manifests []string, within time.Duration) ([]httpapi.ImportJSON, [][]string) {
	t.Helper()
	imps := make([]httpapi.ImportJSON, len(manifests))
	owners := make([][]string, len(manifests))
	apptest.Eventually(t, within, fmt.Sprintf("imports of %v to end", manifests), func() bool {
		all := c.accts[i].Imports()
		ended := 0
		for k, m := range manifests {
			for _, imp := range all {
				if imp.ManifestName == m {
					imps[k] = imp
				}
			}
			if imps[k].Status.Ended() {
				ended++
				continue
			}
			if o := c.ownerOf(t, imps[k].ID); o != "" && !slices.Contains(owners[k], o) {
				owners[k] = append(owners[k], o)
			}
		}
		return ended == len(manifests)
	})
	return imps, owners
}

func TestTwoNodes(t *testing.T) {
	backends := []backend{postgresBackend(), sqliteShared()}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			c := startCluster(t, b)
			t.Run("same host keys", func(t *testing.T) { testSameHostKeys(t, c) })
			t.Run("any node imports", func(t *testing.T) { testAnyNodeImports(t, c) })
			t.Run("takeover after SIGKILL", func(t *testing.T) { testTakeover(t, c) })
			t.Run("order across nodes", func(t *testing.T) { testOrderAcrossNodes(t, c) })
		})
	}
}

func testSameHostKeys(t *testing.T, c *cluster) {
	var infos [2]httpapi.ServerInfo
	for i, a := range c.accts {
		if code := a.API("GET", "/api/v1/server", nil, &infos[i]); code != http.StatusOK || len(infos[i].HostKeys) != 2 {
			t.Fatalf("node %d server info: %d %+v", i+1, code, infos[i])
		}
	}
	if !slices.Equal(infos[0].HostKeys, infos[1].HostKeys) {
		t.Fatalf("nodes present different host keys:\n%v\n%v", infos[0].HostKeys, infos[1].HostKeys)
	}
}

func testAnyNodeImports(t *testing.T, c *cluster) {
	td, _ := filepath.Abs("testdata")
	c.accts[0].SFTP(fmt.Sprintf("put %[1]s/events.csv\nput %[1]s/events.manifest\n", td), false)
	imps, owners := c.await(t, 1, []string{"events.manifest"}, 30*time.Second)
	if imps[0].Status != store.StatusSucceeded || imps[0].RowsImported != 4 {
		t.Fatalf("import uploaded through node 1, read through node 2: %+v", imps[0])
	}
	t.Logf("imported by %v", owners[0])
}

// testTakeover kills the node processing a large import: the other one
// takes it over once the lease has expired, and it ends exactly once.
func testTakeover(t *testing.T, c *cluster) {
	const rows = 200_000
	c.accts[0].Upload("big.csv", eventsFile(rows))
	c.accts[0].Upload("big.manifest", []byte(`{"type": "event", "fileName": "big.csv", "clientEmail": "ops@example.com"}`))
	var imp httpapi.ImportJSON
	apptest.Eventually(t, time.Minute, "the big import to pass a checkpoint", func() bool {
		for _, i := range c.accts[1].Imports() {
			if i.ManifestName == "big.manifest" {
				imp = i
			}
		}
		if imp.Status.Ended() {
			t.Fatalf("the import ended before a node could be killed: make the file larger: %+v", imp)
		}
		return imp.Status == store.StatusProcessing && imp.RowsRead > 0
	})
	victim := c.owner(t, imp.ID)
	k := slices.Index([]string{"node1", "node2"}, victim)
	if k < 0 {
		t.Fatalf("lease owner %q is neither node", victim)
	}
	c.nodes[k].Kill()
	killed := time.Now()
	survivor := fmt.Sprintf("node%d", 2-k)
	apptest.Eventually(t, 30*time.Second, survivor+" to take the import over", func() bool {
		return c.owner(t, imp.ID) == survivor
	})
	// The lease was renewed at most a third of it (1 s) before the kill.
	if wait := time.Since(killed); wait < time.Second {
		t.Fatalf("%s took the import over %s after the kill, before %s's 3 s lease could expire", survivor, wait, victim)
	}
	t.Logf("%s killed at %d rows; %s took over %s later", victim, imp.RowsRead, survivor, time.Since(killed).Round(10*time.Millisecond))
	done, _ := c.await(t, 1-k, []string{"big.manifest"}, 3*time.Minute)
	if done[0].Status != store.StatusSucceeded || done[0].RowsImported != rows {
		t.Fatalf("after killing %s: %+v", victim, done[0])
	}
	var n, distinct int64
	q := `SELECT COUNT(*), COUNT(DISTINCT row) FROM events WHERE import_id = ` + c.ph(1)
	if err := c.db.QueryRow(q, done[0].ID).Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	if n != rows || distinct != rows {
		t.Fatalf("%d events, %d distinct rows; want exactly %d of each", n, distinct, rows)
	}
	c.nodes[k].Start() // back for the next test
}

// testOrderAcrossNodes: three imports of one account, manifests uploaded
// to alternating nodes, run one at a time in manifest order.
func testOrderAcrossNodes(t *testing.T, c *cluster) {
	var manifests []string
	for i := range 3 {
		a := c.accts[i%2]
		a.Upload(fmt.Sprintf("o%d.csv", i), eventsFile(30_000+i))
		manifests = append(manifests, fmt.Sprintf("o%d.manifest", i))
		a.Upload(manifests[i], []byte(fmt.Sprintf(`{"type": "event", "fileName": "o%d.csv", "clientEmail": "ops@example.com"}`, i)))
	}
	imps, owners := c.await(t, 0, manifests, 2*time.Minute)
	for i, imp := range imps {
		if imp.Status != store.StatusSucceeded || imp.RowsImported != int64(30_000+i) {
			t.Fatalf("import %d: %+v", i, imp)
		}
		if i > 0 && imp.StartedAt.Before(*imps[i-1].FinishedAt) {
			t.Fatalf("o%d started at %v, before o%d finished at %v", i, imp.StartedAt, i-1, imps[i-1].FinishedAt)
		}
	}
	t.Logf("lease holders seen: %v", owners)
}

// sqliteShared runs both nodes on one data dir: one SQLite file that two
// processes share (as on one machine), the files in S3.
func sqliteShared() backend {
	return backend{name: "sqlite", ph: func(int) string { return "?" }, setup: func(t *testing.T) ([]string, string, *sql.DB) {
		dir := t.TempDir()
		db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "sluice.db")+"?_busy_timeout=10000")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return nil, dir, db
	}}
}
