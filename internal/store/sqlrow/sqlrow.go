// Package sqlrow is what the SQL stores (SQLite and PostgreSQL) share about
// their rows: the column lists of each entity, how a row is scanned into the
// store's types, and how embedded schema migrations are applied. Both keep
// times as Unix milliseconds.
package sqlrow

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"sluice/internal/errs"
	"sluice/internal/record"
	"sluice/internal/store"
)

// Row is a *sql.Row or the current row of *sql.Rows.
type Row interface{ Scan(dest ...any) error }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func fromNullMS(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMS(v.Int64)
	return &t
}

func ScanAccount(row Row) (store.Account, error) {
	var a store.Account
	var created int64
	err := row.Scan(&a.ID, &a.Name, &a.TimeZone, &created)
	a.CreatedAt = fromMS(created)
	return a, err
}

const AccountCols = `a.id, a.name, a.time_zone, a.created_at`

func ScanDelivery(row Row) (store.Delivery, error) {
	var d store.Delivery
	var webhook, delivered sql.NullInt64
	var next, created int64
	err := row.Scan(&d.ID, &d.OutboxID, &d.AccountID, &d.ImportID, &d.Milestone, &d.Channel, &webhook, &d.Target,
		&d.IdempotencyID, &d.Payload, &d.Status, &d.Attempts, &next, &d.LastError, &created, &delivered)
	d.WebhookID, d.DeliveredAt = webhook.Int64, fromNullMS(delivered)
	d.NextAttemptAt, d.CreatedAt = fromMS(next), fromMS(created)
	return d, err
}

func ScanDeliveries(rows *sql.Rows, err error) ([]store.Delivery, error) {
	return all(rows, err, "deliveries", "delivery", ScanDelivery)
}

const DeliveryCols = `id, outbox_id, account_id, import_id, milestone, channel, webhook_id, target, idempotency_id,
	payload, status, attempts, next_attempt_at, last_error, created_at, delivered_at`

func ScanImport(row Row) (store.Import, error) {
	var i store.Import
	var received, mailed int64
	var started, finished sql.NullInt64
	err := row.Scan(&i.ID, &i.AccountID, &i.ManifestName, &i.ManifestUploadID, &i.FileName, &i.DataUploadID,
		&i.Type, &i.Status, &i.SizeBytes, &i.Error, &i.ClientEmail, &i.Manifest, &received, &started, &finished,
		&i.BytesRead, &i.RowsRead, &i.RowsImported, &i.RowsFailed, &i.ErrorBytes, &i.ErrorHeader, &i.Attempts, &mailed)
	i.ReceivedAt, i.StartedAt, i.FinishedAt = fromMS(received), fromNullMS(started), fromNullMS(finished)
	if mailed != 0 {
		i.MailedAt = fromMS(mailed)
	}
	return i, err
}

func ScanImports(rows *sql.Rows, err error) ([]store.Import, error) {
	return all(rows, err, "imports", "import", ScanImport)
}

const ImportCols = `id, account_id, manifest_name, manifest_upload_id, file_name, data_upload_id, type, status,
	size_bytes, error, client_email, manifest, received_at, started_at, finished_at, bytes_read, rows_read,
	rows_imported, rows_failed, error_bytes, error_header, attempts, mailed_at`

func ScanKey(row Row) (store.ImportKey, error) {
	var k store.ImportKey
	var created int64
	var used sql.NullInt64
	err := row.Scan(&k.ID, &k.AccountID, &k.Name, &k.PublicKey, &k.Fingerprint, &created, &used)
	k.CreatedAt, k.LastUsedAt = fromMS(created), fromNullMS(used)
	return k, err
}

const KeyCols = `id, account_id, name, public_key, fingerprint, created_at, last_used_at`

func ScanPGPKey(row Row) (store.PGPKey, error) {
	var k store.PGPKey
	var kind string
	var created int64
	err := row.Scan(&k.ID, &k.AccountID, &k.Name, &kind, &k.Fingerprint, &k.PublicKey, &k.Sealed, &created)
	k.Kind, k.CreatedAt = store.PGPKeyKind(kind), fromMS(created)
	return k, err
}

const PgpKeyCols = `id, account_id, name, kind, fingerprint, public_key, sealed, created_at`

func ScanSegment(row Row) (store.SavedSegment, error) {
	var s store.SavedSegment
	var filter string
	var created int64
	if err := row.Scan(&s.ID, &s.AccountID, &s.Name, &filter, &created); err != nil {
		return s, err
	}
	s.Filter, s.CreatedAt = []byte(filter), fromMS(created)
	return s, nil
}

const SegmentCols = `id, account_id, name, filter, created_at`

func ScanUpload(row Row) (store.Upload, error) {
	var u store.Upload
	var created int64
	err := row.Scan(&u.ID, &u.AccountID, &u.Name, &u.Kind, &u.Size, &u.SHA256, &u.BlobKey, &u.State, &u.ImportID, &created)
	u.CreatedAt = fromMS(created)
	return u, err
}

func ScanUploads(rows *sql.Rows, err error) ([]store.Upload, error) {
	return all(rows, err, "uploads", "upload", ScanUpload)
}

const UploadCols = `id, account_id, name, kind, size, sha256, blob_key, state, import_id, created_at`

func ScanWebhook(row Row) (store.Webhook, error) {
	var w store.Webhook
	var created int64
	err := row.Scan(&w.ID, &w.AccountID, &w.URL, &w.Secret, &created)
	w.CreatedAt = fromMS(created)
	return w, err
}

const WebhookCols = `w.id, w.account_id, w.url, w.secret, w.created_at`

const EventCols = `id, account_id, profile_id, import_id, row, name, ts, identifiers, props`

func DecodeIdentifiers(b []byte) ([]store.Identifier, error) {
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode identifiers: %w", err)
	}
	var out []store.Identifier
	for _, k := range record.IdentifierKinds {
		if v, ok := m[k]; ok {
			out = append(out, store.Identifier{Kind: k, Value: v})
		}
	}
	return out, nil
}

func LockedErr(name string) error {
	return errs.E(errs.Conflict, "%s is in use by an import that has not ended; it can be uploaded again once that import ends", name)
}

func ScanAccounts(rows *sql.Rows, err error) ([]store.Account, error) {
	return all(rows, err, "accounts", "account", ScanAccount)
}

func ScanKeys(rows *sql.Rows, err error) ([]store.ImportKey, error) {
	return all(rows, err, "keys", "key", ScanKey)
}

func ScanPGPKeys(rows *sql.Rows, err error) ([]store.PGPKey, error) {
	return all(rows, err, "pgp keys", "pgp key", ScanPGPKey)
}

func ScanSegments(rows *sql.Rows, err error) ([]store.SavedSegment, error) {
	return all(rows, err, "segments", "segment", ScanSegment)
}

func ScanWebhooks(rows *sql.Rows, err error) ([]store.Webhook, error) {
	return all(rows, err, "webhooks", "webhook", ScanWebhook)
}

// all scans every row of a list query (rows and err as QueryContext returns
// them) into a non-nil slice; list and one name the rows in errors.
func all[T any](rows *sql.Rows, err error, list, one string, scan func(Row) (T, error)) ([]T, error) {
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", list, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", one, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// ScanIdentifiers passes rows of (kind, value, profile_id), queried with a
// limit of limit+1, to fn until it has seen limit; all is false if a row was
// left. It closes rows.
func ScanIdentifiers(rows *sql.Rows, limit int, fn func(store.Identifier, int64)) (all bool, err error) {
	defer rows.Close()
	n := 0
	for rows.Next() {
		if n == limit {
			return false, nil
		}
		var id store.Identifier
		var pid int64
		if err := rows.Scan(&id.Kind, &id.Value, &pid); err != nil {
			return false, fmt.Errorf("scan identifier: %w", err)
		}
		fn(id, pid)
		n++
	}
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("scan identifiers: %w", err)
	}
	return true, nil
}
