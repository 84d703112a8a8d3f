package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sluice/internal/record"

	"github.com/mattn/go-sqlite3"
)

// querier is what *sql.DB and *sql.Tx share for reads.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func isUnique(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) &&
		(se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey)
}

// decodeInto reads stored props.
func decodeInto(b []byte, p *record.Props) error {
	v, err := record.DecodeProps(b)
	*p = v
	return err
}
