package app

import (
	"fmt"
	"time"

	"sluice/internal/config"
	"sluice/internal/cryptpgp"
	"sluice/internal/pipeline"
	"sluice/internal/store"
)

// PGPService builds the decryption key service of cfg: it reads the server
// secret, creating it on first start. The CLI uses it without the rest of
// the app.
func PGPService(cfg config.Config, st store.PGPKeys) (*cryptpgp.Service, error) {
	secret, err := cryptpgp.LoadOrCreateSecret(cfg.SecretKeyFile)
	if err != nil {
		return nil, err
	}
	sealer, err := cryptpgp.NewSealer(secret)
	if err != nil {
		return nil, err
	}
	algo, err := cryptpgp.ParseAlgorithm(cfg.PGPKeyAlgorithm)
	if err != nil {
		return nil, fmt.Errorf("--pgp-key-algorithm: %w", err)
	}
	return &cryptpgp.Service{Store: st, Sealer: sealer, Max: cfg.MaxPGPKeysPerAccount, Algorithm: algo, Now: time.Now}, nil
}

// DecodeLimits are the pipeline's caps on compressed and encrypted files.
func DecodeLimits(cfg config.Config) pipeline.Limits {
	return pipeline.Limits{MaxBytes: int64(cfg.MaxDecompressedSize), MaxRatio: int64(cfg.MaxCompressionRatio)}
}
