package notify

import (
	"time"

	"sluice/internal/store"
)

// retryPolicy: exponential backoff from Min, doubling, capped at Max, with
// ±20% jitter so that many deliveries failing together (an SMTP server down)
// do not retry in lockstep; a delivery is given up For after it was created.
type retryPolicy struct {
	Min, Max, For time.Duration
}

// outcome is what one attempt ended with.
type outcome struct {
	Code      int   // HTTP status or SMTP reply code; 0 when none
	Err       error // nil: delivered
	Permanent bool  // retrying cannot help (e.g. the address is refused)
}

// delay is the wait after the n-th failed attempt (n ≥ 1); jitter in [0, 1).
func (p retryPolicy) delay(n int, jitter float64) time.Duration {
	d := p.Min
	for i := 1; i < n && d < p.Max; i++ {
		d *= 2
	}
	d = min(d, p.Max)
	return time.Duration(float64(d) * (0.8 + 0.4*jitter))
}

// next decides a delivery's status and next attempt after an attempt that
// ended at now. A final attempt is squeezed in at the deadline rather than
// giving up early.
func (p retryPolicy) next(d store.Delivery, o outcome, now time.Time, jitter float64) (store.DeliveryStatus, time.Time) {
	switch {
	case o.Err == nil:
		return store.DeliveryDelivered, now
	case o.Permanent:
		return store.DeliveryFailed, now
	}
	deadline := d.CreatedAt.Add(p.For)
	if !now.Before(deadline) {
		return store.DeliveryFailed, now
	}
	at := now.Add(p.delay(d.Attempts+1, jitter))
	if at.After(deadline) {
		at = deadline
	}
	return store.DeliveryPending, at
}
