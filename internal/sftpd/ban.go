package sftpd

import (
	"context"
	"sync"
	"time"

	"sluice/internal/store"
)

// Bans decides which addresses are refused after failed logins. MemoryBans
// serves one process; StoreBans shares the list between nodes.
type Bans interface {
	// Banned reports whether ip is refused at now.
	Banned(ctx context.Context, ip string, now time.Time) (bool, error)
	// Failed records a failed login from ip and reports whether ip is now banned.
	Failed(ctx context.Context, ip string, now time.Time) (bool, error)
}

// StoreBans keeps failures and bans in the store, so that an address
// banned through one node is refused by all of them.
type StoreBans struct {
	Store store.Bans
	Rule  store.BanRule // a Threshold below 1 bans nobody
}

// Banned reports whether ip's ban runs at now.
func (b StoreBans) Banned(ctx context.Context, ip string, now time.Time) (bool, error) {
	until, err := b.Store.BannedUntil(ctx, ip)
	return now.Before(until), err
}

// Failed records a failure in the store and reports whether ip is banned now.
func (b StoreBans) Failed(ctx context.Context, ip string, now time.Time) (bool, error) {
	if b.Rule.Threshold < 1 {
		return false, nil
	}
	until, err := b.Store.LoginFailed(ctx, ip, now, b.Rule)
	return now.Before(until), err
}

// MemoryBans bans an address after threshold failures within window, for
// duration. Its memory is bounded by the addresses seen within the last
// window or duration: older entries are pruned as it is used.
type MemoryBans struct {
	threshold int
	window    time.Duration
	duration  time.Duration

	mu        sync.Mutex
	addrs     map[string]*banEntry
	lastPrune time.Time
}

type banEntry struct {
	failures []time.Time // within window, oldest first; at most threshold
	until    time.Time   // banned before this time
}

// NewMemoryBans returns an in-memory ban list. A threshold below 1 bans nobody.
func NewMemoryBans(threshold int, window, duration time.Duration) *MemoryBans {
	return &MemoryBans{threshold: threshold, window: window, duration: duration, addrs: map[string]*banEntry{}}
}

// Banned reports whether ip is refused at now.
func (b *MemoryBans) Banned(_ context.Context, ip string, now time.Time) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e := b.addrs[ip]
	return e != nil && now.Before(e.until), nil
}

// Failed records a failure and reports whether ip is banned now.
func (b *MemoryBans) Failed(_ context.Context, ip string, now time.Time) (bool, error) {
	if b.threshold < 1 {
		return false, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.prune(now)
	e := b.addrs[ip]
	if e == nil {
		e = &banEntry{}
		b.addrs[ip] = e
	}
	e.failures = append(recent(e.failures, now.Add(-b.window)), now)
	if len(e.failures) >= b.threshold {
		e.until, e.failures = now.Add(b.duration), nil
	}
	return now.Before(e.until), nil
}

// recent drops the failures before since.
func recent(ts []time.Time, since time.Time) []time.Time {
	i := 0
	for i < len(ts) && ts[i].Before(since) {
		i++
	}
	return ts[i:]
}

// prune forgets addresses with no recent failure and no running ban, at most
// once per window so that Failed stays cheap.
func (b *MemoryBans) prune(now time.Time) {
	if now.Sub(b.lastPrune) < b.window {
		return
	}
	b.lastPrune = now
	for ip, e := range b.addrs {
		e.failures = recent(e.failures, now.Add(-b.window))
		if len(e.failures) == 0 && !now.Before(e.until) {
			delete(b.addrs, ip)
		}
	}
}
