package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// reportCompaction waits, after a run's imports, for the SQLite store's
// compactor to merge the epochs the imports' sorted runs left (it starts
// once no import has written for a while), and prints how long that took
// and what it left. Imports never wait for it, but a later import that
// arrives during a merge waits for that merge.
func reportCompaction(work string, small int64) error {
	path := filepath.Join(work, "sluice.db")
	if _, err := os.Stat(path); err != nil {
		return nil // not SQLite
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=10000")
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := context.Background()
	start, cpu := time.Now(), cpuSeconds()
	var epochs, smalls int64
	deadline := start.Add(10 * time.Minute)
	for {
		err := db.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE entries > 0 AND entries < ?) FROM event_epochs`, small).
			Scan(&epochs, &smalls)
		if err != nil {
			return fmt.Errorf("read epochs: %w", err)
		}
		if smalls <= 1 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("compaction: still %d small epochs of %d after 10 minutes", smalls, epochs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	fmt.Printf("         compaction after the imports: %.1fs (%.1f CPU-seconds), %d epochs left in event_profiles, peak RSS now %.0f MB\n",
		time.Since(start).Seconds(), cpuSeconds()-cpu, epochs, peakRSS())
	return nil
}
