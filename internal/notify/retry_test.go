package notify

import (
	"errors"
	"testing"
	"time"

	"sluice/internal/store"
)

func TestRetryDelay(t *testing.T) {
	p := retryPolicy{Min: 30 * time.Second, Max: time.Hour, For: 24 * time.Hour}
	cases := []struct {
		name    string
		attempt int
		jitter  float64
		want    time.Duration
	}{
		{"first retry, no jitter", 1, 0.5, 30 * time.Second},
		{"doubles", 2, 0.5, time.Minute},
		{"doubles again", 5, 0.5, 8 * time.Minute},
		{"capped at the maximum", 9, 0.5, time.Hour},
		{"far past the cap does not overflow", 500, 0.5, time.Hour},
		{"lowest jitter is 80%", 1, 0, 24 * time.Second},
		{"highest jitter is just under 120%", 1, 0.999999, 36 * time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := p.delay(c.attempt, c.jitter)
			if diff := got - c.want; diff < -time.Millisecond || diff > time.Millisecond {
				t.Fatalf("delay(%d, %v) = %v, want %v", c.attempt, c.jitter, got, c.want)
			}
		})
	}
}

func TestRetryNext(t *testing.T) {
	p := retryPolicy{Min: time.Minute, Max: time.Hour, For: 24 * time.Hour}
	created := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	fail := outcome{Err: errors.New("HTTP 500")}
	cases := []struct {
		name     string
		attempts int // before this one
		o        outcome
		now      time.Time
		status   store.DeliveryStatus
		next     time.Time
	}{
		{"delivered", 0, outcome{Code: 204}, created, store.DeliveryDelivered, created},
		{"refused for good", 0, outcome{Err: errors.New("550"), Permanent: true}, created, store.DeliveryFailed, created},
		{"first failure waits Min", 0, fail, created, store.DeliveryPending, created.Add(time.Minute)},
		{"third failure waits 4×Min", 2, fail, created.Add(time.Hour), store.DeliveryPending, created.Add(time.Hour + 4*time.Minute)},
		{"last retry lands on the deadline", 20, fail, created.Add(23*time.Hour + 30*time.Minute), store.DeliveryPending, created.Add(24 * time.Hour)},
		{"at the deadline: give up", 21, fail, created.Add(24 * time.Hour), store.DeliveryFailed, created.Add(24 * time.Hour)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := store.Delivery{CreatedAt: created, Attempts: c.attempts}
			status, next := p.next(d, c.o, c.now, 0.5)
			if status != c.status || !next.Equal(c.next) {
				t.Fatalf("next = %s at %v, want %s at %v", status, next, c.status, c.next)
			}
		})
	}
}
