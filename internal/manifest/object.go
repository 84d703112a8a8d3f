package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// member is one key of a JSON object, in document order.
type member struct {
	key string // as written
	raw json.RawMessage
}

// object is a JSON object read leniently: keys match ignoring case and
// surrounding whitespace, because hand-written manifests spell them
// fileName, FileName or filename alike.
type object struct {
	members []member
}

// readObject decodes raw as a JSON object, keeping every member so that
// duplicate keys are seen (encoding/json would silently keep the last).
func readObject(raw []byte) (object, error) {
	if !json.Valid(raw) { // the token reader alone would miss trailing garbage
		return object{}, errors.New("not JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return object{}, errors.New("not an object")
	}
	var o object
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return object{}, err
		}
		var m member
		m.key, _ = tok.(string)
		if err := dec.Decode(&m.raw); err != nil {
			return object{}, err
		}
		o.members = append(o.members, m)
	}
	return o, nil
}

// field is what a lenient lookup of one key found.
type field struct {
	raw   json.RawMessage // nil: absent (or null)
	dup   bool            // the key appears more than once
	given bool            // the key appears, even as null
}

// get finds key (lower case) ignoring case and surrounding whitespace.
func (o object) get(key string) field {
	var f field
	for _, m := range o.members {
		if !strings.EqualFold(strings.TrimSpace(m.key), key) { // key may be any case
			continue
		}
		f.dup = f.given
		f.given = true
		if !isNull(m.raw) {
			f.raw = m.raw
		}
	}
	return f
}

func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

// str reads a JSON string; ok is false for any other JSON type.
func str(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return strings.TrimSpace(s), true
}

// kindOf names a JSON value's type for messages ("a number").
func kindOf(raw json.RawMessage) string {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "a number"
	}
}

// syntaxReason explains why data is not JSON, with the byte offset when known.
func syntaxReason(data []byte) string {
	var v any
	err := json.Unmarshal(data, &v)
	var se *json.SyntaxError
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return "the manifest is empty; it must be a JSON object with type, fileName and clientEmail"
	case errors.As(err, &se):
		return fmt.Sprintf("the manifest is not valid JSON (%v at byte %d); it must be a JSON object with type, fileName and clientEmail", err, se.Offset)
	case err != nil:
		return fmt.Sprintf("the manifest is not valid JSON (%v); it must be a JSON object with type, fileName and clientEmail", err)
	}
	return fmt.Sprintf("the manifest is %s, not a JSON object with type, fileName and clientEmail", kindOf(data))
}
