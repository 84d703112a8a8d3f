package segsql

import (
	"encoding/json"
	"fmt"
	"slices"

	"sluice/internal/record"
)

// Decoding of the columns the segment statements select, shared by the SQL
// stores: props (the whole object or PickJSON's array) and IdentifiersJSON.

// PropsDecoder reads the props column of a segment statement.
type PropsDecoder func(b []byte) (record.Props, error)

// DecodeAll reads a whole props object (with record's decoder, which the
// profile reads use too: no reflection per row).
func DecodeAll(b []byte) (record.Props, error) { return record.DecodeProps(b) }

// DecodePicked reads the JSON array of PickJSON: names[i]'s value or null.
func DecodePicked(names []string) PropsDecoder {
	return func(b []byte) (record.Props, error) {
		var raw []json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil || len(raw) != len(names) {
			return nil, fmt.Errorf("picked properties %.100s: %v", b, err)
		}
		out := make(record.Props, len(names))
		for i, r := range raw {
			if string(r) == "null" {
				continue
			}
			var v record.Value
			if err := v.UnmarshalJSON(r); err != nil {
				return nil, fmt.Errorf("property %s: %w", names[i], err)
			}
			out[names[i]] = v
		}
		return out, nil
	}
}

// DecodeIdentifierPairs reads IdentifiersJSON's [[kind, value], …] (or
// nothing) and orders it as the API shows identifiers: by kind, then value.
func DecodeIdentifierPairs(b []byte) ([]record.Identifier, error) {
	if len(b) == 0 {
		return nil, nil
	}
	var pairs [][2]string
	if err := json.Unmarshal(b, &pairs); err != nil {
		return nil, fmt.Errorf("decode identifiers: %w", err)
	}
	out := make([]record.Identifier, len(pairs))
	for i, pr := range pairs {
		out[i] = record.Identifier{Kind: pr[0], Value: pr[1]}
	}
	slices.SortFunc(out, compareIdentifiers)
	return out, nil
}

func compareIdentifiers(a, b record.Identifier) int {
	if c := kindRank(a.Kind) - kindRank(b.Kind); c != 0 {
		return c
	}
	switch {
	case a.Value < b.Value:
		return -1
	case a.Value > b.Value:
		return 1
	}
	return 0
}

func kindRank(kind string) int {
	if i := slices.Index(record.IdentifierKinds, kind); i >= 0 {
		return i
	}
	return len(record.IdentifierKinds)
}
