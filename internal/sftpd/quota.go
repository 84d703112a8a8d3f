package sftpd

import (
	"context"
	"log/slog"
	"time"

	"sluice/internal/store"
)

// Quota across nodes: each upload in flight (and each temporary upload
// waiting for its rename) holds a reservation in the store, which counts it
// against the account's quota together with the stored files and every
// other node's reservations, in one transaction. A node renews its
// reservations while it runs; those of a node that died expire after
// holdTTL, freeing their quota.
//
// A reservation grows ahead of the bytes written, by a quarter of its size
// (at least 4 MiB, at most 64 MiB), so that a 5 GiB upload asks the store
// about a hundred times, not once per write. When that does not fit it
// grows to exactly the bytes written. So near the quota, an upload on
// another node may be refused by up to that margin early.
const (
	holdTTL   = 2 * time.Minute
	holdRenew = holdTTL / 4
	aheadMin  = 4 << 20
	aheadMax  = 64 << 20
)

// hold is one upload's reservation; the zero Bytes means none yet.
type hold struct {
	srv *Server
	r   store.UploadReservation
}

func (s *Server) newHold(account string, t target) *hold {
	return &hold{srv: s, r: store.UploadReservation{AccountID: account, Name: t.final, Kind: t.kind, Node: s.cfg.NodeID}}
}

// cover makes the reservation at least end bytes (at most limit, which
// admit has checked end against), reserving ahead. When end does not fit, the error is
// errs.TooLarge and inUse is the account's other bytes.
func (h *hold) cover(end, limit int64) (inUse int64, err error) {
	quota := h.srv.cfg.AccountQuota
	if quota <= 0 || end <= h.r.Bytes {
		return 0, nil
	}
	want := min(max(end, h.r.Bytes+min(max(aheadMin, h.r.Bytes/4), aheadMax)), limit)
	inUse, err = h.reserve(want, quota)
	if err != nil && want > end {
		inUse, err = h.reserve(end, quota)
	}
	return inUse, err
}

func (h *hold) reserve(n, quota int64) (int64, error) {
	ctx, cancel := h.srv.opCtx()
	defer cancel()
	r := h.r
	r.Bytes, r.ExpiresAt = n, h.srv.cfg.Now().Add(holdTTL)
	res, inUse, err := h.srv.st.ReserveUpload(ctx, r, quota, h.srv.cfg.Now())
	if err == nil {
		h.r = res
	}
	return inUse, err
}

// release drops the reservation; it runs on during shutdown.
func (h *hold) release() {
	if h.r.ID == 0 {
		return
	}
	ctx, cancel := h.srv.cleanupCtx()
	defer cancel()
	if err := h.srv.st.ReleaseUpload(ctx, h.r.ID); err != nil {
		h.srv.log.Error("release quota reservation", slog.Int64("reservation", h.r.ID), slog.Any("err", err))
	}
	h.r.ID, h.r.Bytes = 0, 0
}

// renewHolds keeps this node's reservations alive until the server stops.
func (s *Server) renewHolds() {
	t := time.NewTicker(holdRenew)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(s.ctx, holdRenew)
			if err := s.st.RenewUploads(ctx, s.cfg.NodeID, s.cfg.Now().Add(holdTTL)); err != nil {
				s.log.Warn("renew quota reservations", slog.Any("err", err))
			}
			cancel()
		}
	}
}
