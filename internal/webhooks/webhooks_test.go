package webhooks_test

import (
	"strings"
	"testing"

	"sluice/internal/errs"
	"sluice/internal/store/sqlite"
	"sluice/internal/store/sqlite/sqlitetest"
	"sluice/internal/store/storetest"
	"sluice/internal/webhooks"
)

func newService(t *testing.T) *webhooks.Service {
	t.Helper()
	db := sqlitetest.Open(t, "", sqlite.Options{})
	storetest.MustAccount(t, db, "A-1")
	return &webhooks.Service{Store: db, Max: 2}
}

func TestAddRules(t *testing.T) {
	tests := []struct {
		name, url, secret string
		field             string
		code              errs.Code
	}{
		{"no url", "", "", webhooks.FieldURL, errs.Invalid},
		{"not http", "ftp://a.example/x", "", webhooks.FieldURL, errs.Invalid},
		{"relative", "/hook", "", webhooks.FieldURL, errs.Invalid},
		{"too long", "https://a.example/" + strings.Repeat("x", 2048), "", webhooks.FieldURL, errs.Invalid},
		{"short secret", "https://a.example/x", "short", webhooks.FieldSecret, errs.Invalid},
	}
	s := newService(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := s.Add(t.Context(), "A-1", tt.url, tt.secret)
			if webhooks.FieldOf(err) != tt.field || errs.CodeOf(err) != tt.code || errs.MessageOf(err) == "" {
				t.Fatalf("err %v: field %q code %q", err, webhooks.FieldOf(err), errs.CodeOf(err))
			}
		})
	}
}

func TestAddChoosesFirstAndKeepsLimit(t *testing.T) {
	s := newService(t)
	first, chosen, err := s.Add(t.Context(), "A-1", "  https://a.example/one  ", "")
	if err != nil || !chosen || first.URL != "https://a.example/one" || !strings.HasPrefix(first.Secret, "whsec_") {
		t.Fatalf("first: %+v chosen=%v err=%v", first, chosen, err)
	}
	second, chosen, err := s.Add(t.Context(), "A-1", "https://a.example/two", "0123456789abcdef")
	if err != nil || chosen || second.Secret != "0123456789abcdef" {
		t.Fatalf("second: %+v chosen=%v err=%v", second, chosen, err)
	}
	if _, _, err := s.Add(t.Context(), "A-1", "https://a.example/three", ""); errs.CodeOf(err) != errs.TooLarge || webhooks.FieldOf(err) != "" {
		t.Fatalf("over the limit: %v", err)
	}
	if err := s.Choose(t.Context(), "A-1", second.ID); err != nil {
		t.Fatal(err)
	}
	hooks, id, err := s.List(t.Context(), "A-1")
	if err != nil || len(hooks) != 2 || id != second.ID {
		t.Fatalf("list: %d hooks, chosen %d, %v", len(hooks), id, err)
	}
	if err := s.Choose(t.Context(), "A-1", -1); !errs.Is(err, errs.NotFound) {
		t.Fatalf("choose -1: %v", err)
	}
	if err := s.Delete(t.Context(), "A-1", second.ID); err != nil {
		t.Fatal(err)
	}
	if id, err := s.Chosen(t.Context(), "A-1"); err != nil || id != 0 {
		t.Fatalf("after deleting the chosen webhook: %d %v", id, err)
	}
}
