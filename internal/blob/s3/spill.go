package s3

import (
	"errors"
	"fmt"
	"os"

	"sluice/internal/blob"
)

// spill keeps the bytes a writer cannot stream yet in a sparse temporary
// file, at their own offsets: ahead holds bytes past the stream's frontier
// (a client writing far out of order), over holds rewrites of bytes already
// handed to the object store. The two never overlap: over lies below the
// frontier, ahead above it. The file is made on first use and unlinked at
// once. Every byte written to it counts against limit, so limit bounds the
// disk it takes (bytes the stream has taken back are not punched out).
type spill struct {
	dir   string
	limit int64

	f     *os.File
	used  int64
	ahead blob.Spans
	over  blob.Spans
}

// errSpillFull is returned when out-of-order data would pass the limit.
var errSpillFull = errors.New("too much out-of-order data to hold for this upload")

func (s *spill) writeAt(p []byte, off int64, over bool) error {
	if s.used+int64(len(p)) > s.limit {
		return errSpillFull
	}
	if s.f == nil {
		f, err := os.CreateTemp(s.dir, "sluice-s3-spill-*")
		if err != nil {
			return fmt.Errorf("create spill file: %w", err)
		}
		if err := os.Remove(f.Name()); err != nil {
			f.Close()
			return fmt.Errorf("unlink spill file: %w", err)
		}
		s.f = f
	}
	if _, err := s.f.WriteAt(p, off); err != nil {
		return fmt.Errorf("write spill file: %w", err)
	}
	s.used += int64(len(p))
	if over {
		s.over = s.over.Add(blob.Span{Start: off, End: off + int64(len(p))})
	} else {
		s.ahead = s.ahead.Add(blob.Span{Start: off, End: off + int64(len(p))})
	}
	return nil
}

// readAt reads bytes that writeAt put at off.
func (s *spill) readAt(p []byte, off int64) error {
	if _, err := s.f.ReadAt(p, off); err != nil {
		return fmt.Errorf("read spill file: %w", err)
	}
	return nil
}

// close releases the file (already unlinked, so a crash leaves none).
func (s *spill) close() error {
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f, s.ahead, s.over = nil, nil, nil
	if err != nil {
		return fmt.Errorf("close spill file: %w", err)
	}
	return nil
}
