package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"

	"sluice/internal/record"
	"sluice/internal/store"
	"sluice/internal/store/sqlite"
)

const (
	account = "BENCH-1"
	batch   = 100_000
)

// benchNow is the fixed "now" of the data set and the measurements.
var benchNow = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

var (
	cities = []string{"Mumbai", "Delhi", "Bengaluru", "Hyderabad", "Ahmedabad", "Chennai", "Kolkata", "Pune", "Jaipur",
		"Surat", "Lucknow", "Kanpur", "Nagpur", "Indore", "Thane", "Bhopal", "Patna", "Vadodara", "Ludhiana", "Agra"}
	genres = []string{"Rock", "Pop", "Jazz", "Classical", "Hip-Hop", "Folk", "Indie", "Metal"}
	// eventNames: Purchased is 1 in 10 events.
	eventNames = []string{"Purchased", "Viewed", "Viewed", "App Opened", "App Opened", "Searched", "Added To Cart",
		"Wishlisted", "Shared", "Rated"}
)

func generate(ctx context.Context, c config, out io.Writer) error {
	db, err := sqlite.Open(ctx, c.db, sqlite.Options{CacheMiB: 256, Now: func() time.Time { return benchNow }})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CreateAccount(ctx, store.Account{ID: account, Name: "bench", CreatedAt: benchNow}, []byte("bench")); err != nil {
		return fmt.Errorf("create account: %w", err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Now()
	firstID, err := writeProfiles(ctx, db, rng, c.profiles)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "generated %d profiles in %s\n", c.profiles, since(start))
	start = time.Now()
	if err := writeEvents(ctx, db, rng, firstID, c.profiles, c.events); err != nil {
		return err
	}
	fmt.Fprintf(out, "generated %d events in %s\n", c.events, since(start))
	return nil
}

func writeProfiles(ctx context.Context, db *sqlite.DB, rng *rand.Rand, n int) (firstID int64, err error) {
	for done := 0; done < n; done += batch {
		size := min(batch, n-done)
		err := db.InBatch(ctx, func(tx store.BatchTx) error {
			ps := make([]*store.Profile, size)
			for i := range ps {
				ps[i] = &store.Profile{AccountID: account, Props: profileProps(rng), CreatedAt: benchNow, UpdatedAt: benchNow}
			}
			if err := tx.CreateProfiles(ctx, ps); err != nil {
				return err
			}
			if firstID == 0 {
				firstID = ps[0].ID
			}
			for i, p := range ps {
				u := strconv.Itoa(done + i)
				ids := []store.Identifier{{Kind: record.IDIdentity, Value: "user-" + u}}
				if rng.IntN(10) == 0 {
					ids = append(ids, store.Identifier{Kind: record.IDObjectID, Value: "obj-" + u})
				}
				if err := tx.LinkIdentifiers(ctx, account, p.ID, ids); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, fmt.Errorf("write profiles: %w", err)
		}
	}
	return firstID, nil
}

func profileProps(rng *rand.Rand) record.Props {
	return record.Props{
		"Name":         record.String("User " + strconv.Itoa(rng.IntN(1_000_000))),
		"City":         record.String(cities[rng.IntN(len(cities))]),
		"Age":          record.Int(int64(18 + rng.IntN(60))),
		"Score":        record.Float(float64(rng.IntN(10000)) / 100),
		"VIP":          record.Bool(rng.IntN(5) == 0),
		"Signup":       record.Date(benchNow.Unix() - rng.Int64N(3*365*86400)),
		"Playlist":     record.List([]string{genres[rng.IntN(len(genres))], genres[rng.IntN(len(genres))]}),
		"MSG-email":    record.Bool(rng.IntN(10) != 0),
		"MSG-dndEmail": record.Bool(rng.IntN(20) == 0),
	}
}

// writeEvents spreads events over the profiles and the last 365 days.
func writeEvents(ctx context.Context, db *sqlite.DB, rng *rand.Rand, firstID int64, profiles, n int) error {
	evs := make([]store.Event, batch)
	for done := 0; done < n; done += batch {
		size := min(batch, n-done)
		for i := range size {
			u := rng.IntN(profiles)
			name := eventNames[rng.IntN(len(eventNames))]
			evs[i] = store.Event{AccountID: account, ProfileID: firstID + int64(u), ImportID: 1, Row: int64(done + i + 1),
				Name: name, Time: benchNow.Unix() - rng.Int64N(365*86400),
				Identifiers: []store.Identifier{{Kind: record.IDIdentity, Value: "user-" + strconv.Itoa(u)}},
				Props:       eventProps(rng, name)}
		}
		if err := db.InBatch(ctx, func(tx store.BatchTx) error { return tx.InsertEvents(ctx, evs[:size]) }); err != nil {
			return fmt.Errorf("write events: %w", err)
		}
	}
	return nil
}

func eventProps(rng *rand.Rand, name string) record.Props {
	if name == "Purchased" {
		return record.Props{"Price": record.Float(float64(rng.IntN(100000)) / 100), "Currency": record.String("INR")}
	}
	return record.Props{"Screen": record.String("home")}
}
