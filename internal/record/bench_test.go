package record

import (
	"testing"

	"sluice/internal/manifest"
)

func benchEvent(b *testing.B) (*Converter, []string) {
	m := manifest.Manifest{Type: "event", FileName: "a.csv", ClientEmail: "ops@example.com",
		Columns: map[string]manifest.Column{
			"Amount":   {DataType: "FLOAT"},
			"Quantity": {DataType: "INTEGER"},
		}}
	header := []string{"identity", "ts", "evtName", "Amount", "Currency", "Category", "Quantity", "PaymentMode"}
	c, err := NewConverter(m, header, nil)
	if err != nil {
		b.Fatal(err)
	}
	return c, []string{"user-1234567", "1735689599", "Charged", "1299.50", "INR", "Electronics", "2", "UPI"}
}

func benchProfile(b *testing.B) (*Converter, []string) {
	m := manifest.Manifest{Type: "profile", FileName: "a.csv", ClientEmail: "ops@example.com",
		Columns: map[string]manifest.Column{
			"Age":      {DataType: "INTEGER"},
			"Birthday": {DataType: "DATE", DateFormat: manifest.FormatDMY},
			"Premium":  {DataType: "BOOLEAN"},
		}}
	header := []string{"identity", "Name", "Email", "Age", "Birthday", "Premium", "City", "Playlist", "Playlist.operation"}
	c, err := NewConverter(m, header, nil)
	if err != nil {
		b.Fatal(err)
	}
	return c, []string{"user-1234567", "Ann Lee", "ann@example.com", "34", "05/03/1990", "yes", "Pune", "Rock", "$add"}
}

func BenchmarkConvertEvent(b *testing.B) {
	c, row := benchEvent(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, reasons := c.Convert(row); reasons != nil {
			b.Fatal(reasons)
		}
	}
}

func BenchmarkConvertProfile(b *testing.B) {
	c, row := benchProfile(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, reasons := c.Convert(row); reasons != nil {
			b.Fatal(reasons)
		}
	}
}

var sinkProps Props

// BenchmarkPropsFloor is the part of BenchmarkConvertEvent that the API
// fixes: one Props map with five values per row. Compare the two on the
// same machine load; the rest is Convert's own work.
func BenchmarkPropsFloor(b *testing.B) {
	names := []string{"Amount", "Currency", "Category", "Quantity", "PaymentMode"}
	b.ReportAllocs()
	for b.Loop() {
		p := make(Props, len(names))
		for _, n := range names {
			p[n] = String(n)
		}
		sinkProps = p
	}
}
