package app

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"

	"sluice/internal/blob"
	"sluice/internal/config"
	"sluice/internal/store"
	"sluice/internal/store/postgres"
	"sluice/internal/store/sqlite"
)

// DatabaseFile is the SQLite file in the data dir.
const DatabaseFile = "sluice.db"

func openStore(ctx context.Context, cfg config.Config) (store.Store, error) {
	if cfg.DatabaseURL == "" {
		return sqlite.Open(ctx, filepath.Join(cfg.DataDir, DatabaseFile), sqlite.Options{})
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

func openBlobs(cfg config.Config) (blob.Store, error) {
	if cfg.BlobURL == "" {
		return blob.NewLocal(filepath.Join(cfg.DataDir, "files"))
	}
	return nil, fmt.Errorf("--blob-url %q is not supported: leave it empty to keep files in the data dir", cfg.BlobURL)
}
