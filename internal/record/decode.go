package record

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// DecodeProps reads props in their stored form (what Props.AppendJSON
// writes: an object of strings, numbers, booleans and arrays of strings)
// without reflection; loading profiles for every batch made encoding/json the
// largest cost of profile imports.
func DecodeProps(b []byte) (Props, error) {
	return (&PropsDecoder{}).Decode(b)
}

// PropsDecoder decodes many props and shares one copy of each property name
// between them (names repeat across profiles).
type PropsDecoder struct {
	names map[string]string
}

// Decode reads one stored props object.
func (pd *PropsDecoder) Decode(b []byte) (Props, error) {
	d := decoder{b: b, pd: pd}
	p, err := d.object()
	if err == nil {
		d.space()
		if d.i != len(d.b) {
			err = d.fail("text after the object")
		}
	}
	if err != nil {
		return nil, fmt.Errorf("decode stored props: %w", err)
	}
	return p, nil
}

type decoder struct {
	b  []byte
	i  int
	pd *PropsDecoder
}

var errEnd = errors.New("unexpected end")

func (d *decoder) fail(what string) error {
	if d.i >= len(d.b) {
		return errEnd
	}
	return fmt.Errorf("%s at offset %d", what, d.i)
}

func (d *decoder) space() {
	for d.i < len(d.b) && (d.b[d.i] == ' ' || d.b[d.i] == '\t' || d.b[d.i] == '\n' || d.b[d.i] == '\r') {
		d.i++
	}
}

func (d *decoder) expect(c byte) error {
	d.space()
	if d.i >= len(d.b) || d.b[d.i] != c {
		return d.fail(fmt.Sprintf("expected %q", c))
	}
	d.i++
	return nil
}

func (d *decoder) peek() byte {
	d.space()
	if d.i >= len(d.b) {
		return 0
	}
	return d.b[d.i]
}

func (d *decoder) object() (Props, error) {
	if err := d.expect('{'); err != nil {
		return nil, err
	}
	p := Props{}
	if d.peek() == '}' {
		d.i++
		return p, nil
	}
	for {
		k, err := d.name()
		if err != nil {
			return nil, err
		}
		if err := d.expect(':'); err != nil {
			return nil, err
		}
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		p[k] = v
		switch d.peek() {
		case ',':
			d.i++
		case '}':
			d.i++
			return p, nil
		default:
			return nil, d.fail("expected , or }")
		}
	}
}

func (d *decoder) value() (Value, error) {
	switch c := d.peek(); {
	case c == '"':
		s, err := d.str()
		return parseStoredString(s), err
	case c == '[':
		l, err := d.list()
		return List(l), err
	case c == 't' || c == 'f':
		return d.boolean()
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	}
	return Value{}, d.fail("expected a value")
}

func (d *decoder) list() ([]string, error) {
	d.i++ // [
	l := []string{}
	if d.peek() == ']' {
		d.i++
		return l, nil
	}
	for {
		s, err := d.str()
		if err != nil {
			return nil, err
		}
		l = append(l, s)
		switch d.peek() {
		case ',':
			d.i++
		case ']':
			d.i++
			return l, nil
		default:
			return nil, d.fail("expected , or ]")
		}
	}
}

func (d *decoder) boolean() (Value, error) {
	for _, lit := range []string{"true", "false"} {
		if len(d.b)-d.i >= len(lit) && string(d.b[d.i:d.i+len(lit)]) == lit {
			d.i += len(lit)
			return Bool(lit == "true"), nil
		}
	}
	return Value{}, d.fail("expected true or false")
}

func (d *decoder) number() (Value, error) {
	start, float := d.i, false
	for d.i < len(d.b) {
		c := d.b[d.i]
		if c == '.' || c == 'e' || c == 'E' || c == '+' {
			float = true
		} else if c != '-' && (c < '0' || c > '9') {
			break
		}
		d.i++
	}
	s := string(d.b[start:d.i])
	if !float {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return Int(n), nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return Value{}, fmt.Errorf("number %q: %w", s, err)
	}
	return Float(f), nil
}

// name reads a property name, shared through the decoder's table when it
// has no escapes.
func (d *decoder) name() (string, error) {
	d.space()
	start := d.i + 1
	end := start
	for end < len(d.b) && d.b[end] != '"' && d.b[end] != '\\' && d.b[end] >= 0x20 {
		end++
	}
	if d.pd == nil || start > len(d.b) || d.b[start-1] != '"' || end >= len(d.b) || d.b[end] != '"' {
		return d.str()
	}
	if s, ok := d.pd.names[string(d.b[start:end])]; ok {
		d.i = end + 1
		return s, nil
	}
	s, err := d.str()
	if err == nil {
		if d.pd.names == nil {
			d.pd.names = map[string]string{}
		}
		if len(d.pd.names) < 10000 {
			d.pd.names[s] = s
		}
	}
	return s, err
}

// str reads a JSON string; the common case without escapes is one copy.
func (d *decoder) str() (string, error) {
	if err := d.expect('"'); err != nil {
		return "", err
	}
	start := d.i
	for d.i < len(d.b) {
		switch c := d.b[d.i]; {
		case c == '"':
			s := string(d.b[start:d.i])
			d.i++
			return s, nil
		case c == '\\':
			return d.escaped(start)
		case c < 0x20:
			return "", d.fail("control character in string")
		}
		d.i++
	}
	return "", errEnd
}

func (d *decoder) escaped(start int) (string, error) {
	buf := append([]byte(nil), d.b[start:d.i]...)
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			return string(buf), nil
		case c == '\\':
			var err error
			if buf, err = d.escape(buf); err != nil {
				return "", err
			}
		case c < 0x20:
			return "", d.fail("control character in string")
		default:
			buf = append(buf, c)
			d.i++
		}
	}
	return "", errEnd
}

func (d *decoder) escape(buf []byte) ([]byte, error) {
	if d.i+1 >= len(d.b) {
		return nil, errEnd
	}
	c := d.b[d.i+1]
	d.i += 2
	if i := strings.IndexByte(`"\/bfnrt`, c); i >= 0 {
		return append(buf, "\"\\/\b\f\n\r\t"[i]), nil
	}
	if c != 'u' {
		return nil, d.fail("invalid escape")
	}
	r, err := d.hex4()
	if err != nil {
		return nil, err
	}
	if utf16.IsSurrogate(r) {
		r = d.lowSurrogate(r)
	}
	return utf8.AppendRune(buf, r), nil
}

func (d *decoder) lowSurrogate(hi rune) rune {
	if d.i+1 < len(d.b) && d.b[d.i] == '\\' && d.b[d.i+1] == 'u' {
		save := d.i
		d.i += 2
		if lo, err := d.hex4(); err == nil {
			if r := utf16.DecodeRune(hi, lo); r != utf8.RuneError {
				return r
			}
		}
		d.i = save
	}
	return utf8.RuneError
}

func (d *decoder) hex4() (rune, error) {
	if d.i+4 > len(d.b) {
		return 0, errEnd
	}
	n, err := strconv.ParseUint(string(d.b[d.i:d.i+4]), 16, 32)
	if err != nil {
		return 0, d.fail("invalid \\u escape")
	}
	d.i += 4
	return rune(n), nil
}
