package sftpd

import (
	"context"
	"log/slog"
	"sort"
	"strings"
	"time"
)

// pendingFile is a temporary-name upload (x.csv.filepart) that was closed
// normally: its blob is committed but not recorded. It is listed and
// readable on its own connection only; renaming it onto an accepted name
// uploads it; it is discarded when the connection ends. Its bytes stay
// counted against the quota meanwhile.
type pendingFile struct {
	t    target
	key  string
	size int64
	sha  string
	at   time.Time
	hold *hold // its quota, kept until it is renamed or dropped
}

func (p *pendingFile) info() fileInfo {
	return fileInfo{name: p.t.name, size: p.size, mtime: p.at, mode: 0o644}
}

func (ss *session) pendingFile(name string) *pendingFile {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.pending[name]
}

func (ss *session) pendingList() []*pendingFile {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	out := make([]*pendingFile, 0, len(ss.pending))
	for _, p := range ss.pending {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].t.name < out[j].t.name })
	return out
}

// keepPending holds pf under its name, replacing (discarding) an older one.
func (ss *session) keepPending(pf *pendingFile) {
	ss.mu.Lock()
	old := ss.pending[pf.t.name]
	ss.pending[pf.t.name] = pf
	ss.mu.Unlock()
	if old != nil {
		ss.dropPending(old, "replaced by a new upload under the same name")
	}
	ss.log.Info("temporary upload kept until renamed", slog.String("name", pf.t.name), slog.Int64("size", pf.size))
}

func (ss *session) takePending(name string) *pendingFile {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	pf := ss.pending[name]
	delete(ss.pending, name)
	return pf
}

// putBack returns a pending file whose rename failed, unless a newer one
// took its name meanwhile.
func (ss *session) putBack(pf *pendingFile) {
	ss.mu.Lock()
	_, taken := ss.pending[pf.t.name]
	if !taken {
		ss.pending[pf.t.name] = pf
	}
	ss.mu.Unlock()
	if taken {
		ss.dropPending(pf, "replaced by a new upload under the same name")
	}
}

func (ss *session) dropPending(pf *pendingFile, why string) {
	ss.deleteBlob(pf.key)
	pf.hold.release()
	ss.srv.m.upload(resultAborted)
	ss.log.Info("temporary upload discarded", slog.String("name", pf.t.name), slog.String("why", why))
}

// discardPending drops every pending file: the connection ended.
func (ss *session) discardPending() {
	ss.mu.Lock()
	all := ss.pending
	ss.pending = map[string]*pendingFile{}
	ss.mu.Unlock()
	for _, pf := range all {
		ss.dropPending(pf, "never renamed before the connection ended")
	}
}

// rename lands a pending temporary upload under an accepted name.
func (ss *session) rename(ctx context.Context, src, dst []string) error {
	if (len(src) > 0 && src[0] == errorsDir) || (len(dst) > 0 && dst[0] == errorsDir) {
		return readOnly()
	}
	if len(src) != 1 || len(dst) != 1 {
		return denied("there are no folders here: only files in / can be renamed")
	}
	pf := ss.takePending(src[0])
	if pf == nil {
		return ss.notPending(ctx, src[0], "renamed; upload it again under the new name")
	}
	t, err := classifyFinal(dst[0])
	if err == nil && pf.size > ss.srv.limit(t.kind) {
		err = tooLarge(dst[0], t.kind, ss.srv.limit(t.kind))
	}
	if err == nil {
		err = ss.record(ctx, t, pf.key, pf.size, pf.sha)
	}
	if err != nil {
		ss.putBack(pf)
		return err
	}
	pf.hold.release()
	return nil
}

// notPending explains why name cannot be renamed or removed.
func (ss *session) notPending(ctx context.Context, name, verb string) error {
	ups, err := ss.visible(ctx)
	if err != nil {
		return err
	}
	if _, ok := ups[name]; ok {
		return denied("%q was uploaded already and cannot be %s", name, verb)
	}
	return notExist("/" + name)
}

// remove discards a pending temporary upload; recorded uploads stay.
func (ss *session) remove(ctx context.Context, parts []string) error {
	if len(parts) > 0 && parts[0] == errorsDir {
		return readOnly()
	}
	if len(parts) != 1 {
		return notExist("/" + strings.Join(parts, "/"))
	}
	if pf := ss.takePending(parts[0]); pf != nil {
		ss.dropPending(pf, "removed by the client")
		return nil
	}
	return ss.notPending(ctx, parts[0], "removed (a data file is replaced by uploading it again under the same name)")
}
