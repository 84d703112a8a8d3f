package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"time"
)

// files are the templates and static assets, built into the binary so the
// dashboard works with no network and no build step.
//
//go:embed templates/*.html static/*
var files embed.FS

// assets serves the static files under a content hash, so that browsers may
// cache them for a year and still never run an old script after an upgrade.
type assets struct {
	templates fs.FS
	static    map[string][]byte
	version   map[string]string // file → short content hash
}

func loadAssets() (*assets, error) {
	as := &assets{templates: files, static: map[string][]byte{}, version: map[string]string{}}
	entries, err := fs.ReadDir(files, "static")
	if err != nil {
		return nil, fmt.Errorf("read embedded assets: %w", err)
	}
	for _, e := range entries {
		b, err := fs.ReadFile(files, "static/"+e.Name())
		if err != nil {
			return nil, fmt.Errorf("read asset %s: %w", e.Name(), err)
		}
		sum := sha256.Sum256(b)
		as.static[e.Name()] = b
		as.version[e.Name()] = hex.EncodeToString(sum[:6])
	}
	return as, nil
}

// url is the versioned path of a static file, for templates.
func (as *assets) url(name string) (string, error) {
	v, ok := as.version[name]
	if !ok {
		return "", fmt.Errorf("no static file %q", name)
	}
	return "/static/" + name + "?v=" + v, nil
}

func (as *assets) serve(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	b, ok := as.static[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", mime.TypeByExtension(path.Ext(name)))
	if r.URL.Query().Get("v") == as.version[name] {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
}
