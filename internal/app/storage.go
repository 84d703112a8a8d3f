package app

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"sluice/internal/blob"
	"sluice/internal/blob/s3"
	"sluice/internal/config"
	"sluice/internal/store"
	"sluice/internal/store/postgres"
	"sluice/internal/store/sqlite"
)

// DatabaseFile is the SQLite file in the data dir.
const DatabaseFile = "sluice.db"

func openStore(ctx context.Context, cfg config.Config) (store.Store, error) {
	if cfg.DatabaseURL == "" {
		return sqlite.Open(ctx, filepath.Join(cfg.DataDir, DatabaseFile), sqlite.Options{CacheMiB: cfg.SQLiteCacheMiB})
	}
	u, err := url.Parse(cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("--database-url: %w", err)
	}
	switch u.Scheme {
	case "postgres", "postgresql":
		return postgres.Open(ctx, cfg.DatabaseURL, postgres.Options{})
	}
	return nil, fmt.Errorf("--database-url scheme %q is not supported: use postgres://… for PostgreSQL, "+
		"or leave it empty for SQLite in the data dir", u.Scheme)
}

// openBlobs opens the local folder, or the bucket of an s3:// --blob-url
// (whose keys come from the URL or the AWS_* environment variables).
func openBlobs(ctx context.Context, cfg config.Config) (blob.Store, error) {
	if cfg.BlobURL == "" {
		return blob.NewLocal(filepath.Join(cfg.DataDir, "files"))
	}
	if !strings.HasPrefix(cfg.BlobURL, "s3://") {
		return nil, errors.New("--blob-url: only s3://bucket?endpoint=… is supported; leave it empty to keep files in the data dir")
	}
	o, err := s3.ParseURL(cfg.BlobURL, config.LookupEnv)
	if err != nil {
		return nil, fmt.Errorf("--blob-url: %w", err)
	}
	o.SpillDir = filepath.Join(cfg.DataDir, "spill")
	if err := os.MkdirAll(o.SpillDir, 0o700); err != nil {
		return nil, fmt.Errorf("create spill folder: %w", err)
	}
	o.MaxSpill = int64(cfg.MaxDataFileSize)
	return s3.New(ctx, o)
}
