package s3

import (
	"fmt"
	"io"

	"github.com/minio/minio-go/v7"
)

// applyRewrites replaces the just-completed object (version etag) with
// itself overlaid by the rewritten bytes in spill.over. The PUT consumes the
// whole GET before it completes, so the old version is never read while it
// is being replaced. Nobody knows the key before Commit returns.
func (w *writer) applyRewrites(etag string) error {
	r := &reader{s: w.s, ctx: w.ctx, name: w.name, etag: etag, size: w.size}
	defer r.Close()
	src := &overlay{r: r, sp: &w.spill}
	_, err := w.s.core.Client.PutObject(w.ctx, w.s.o.Bucket, w.name, src, w.size,
		minio.PutObjectOptions{PartSize: uint64(w.s.o.PartSize)})
	if err != nil {
		return fmt.Errorf("rewrite blob %s: %w", w.name, err)
	}
	return nil
}

// overlay reads r with the bytes of sp.over put over it.
type overlay struct {
	r   io.Reader
	sp  *spill
	pos int64
}

func (o *overlay) Read(p []byte) (int, error) {
	n, err := o.r.Read(p)
	for _, s := range o.sp.over {
		from, to := max(s.Start, o.pos), min(s.End, o.pos+int64(n))
		if from >= to {
			continue
		}
		if rerr := o.sp.readAt(p[from-o.pos:to-o.pos], from); rerr != nil {
			return 0, rerr
		}
	}
	o.pos += int64(n)
	return n, err
}
