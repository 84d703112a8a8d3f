package sftpd

import (
	"sync"
	"time"
)

// Bans decides which addresses are refused after failed logins. The
// in-memory MemoryBans serves one node; a store-backed implementation can
// share bans between nodes.
type Bans interface {
	// Banned reports whether ip is refused at now.
	Banned(ip string, now time.Time) bool
	// Failed records a failed login from ip and reports whether ip is now banned.
	Failed(ip string, now time.Time) bool
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
func (b *MemoryBans) Banned(ip string, now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	e := b.addrs[ip]
	return e != nil && now.Before(e.until)
}

// Failed records a failure and reports whether ip is banned now.
func (b *MemoryBans) Failed(ip string, now time.Time) bool {
	if b.threshold < 1 {
		return false
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
	return now.Before(e.until)
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
