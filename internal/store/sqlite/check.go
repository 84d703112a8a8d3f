package sqlite

import "sluice/internal/store"

var _ store.Store = (*DB)(nil)
