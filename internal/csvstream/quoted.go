package csvstream

import "errors"

// errOpenQuote means the record continues on the next line.
var errOpenQuote = errors.New("open quote")

// parseQuoted splits r.raw (which holds at least one quote) into fields.
// It returns errOpenQuote while a quoted field is still open at the end,
// a *RecordError for a malformed record, or nil.
func (r *Reader) parseQuoted() error {
	raw := r.raw
	n := len(raw)
	// The line ending is not part of the last field, unless inside quotes.
	end := n
	if end > 0 && raw[end-1] == '\n' {
		end--
		if end > 0 && raw[end-1] == '\r' {
			end--
		}
	}
	r.buf, r.ends = r.buf[:0], r.ends[:0]
	var bad error
	i := 0
	for {
		if i < end && raw[i] == '"' {
			j, err := r.quotedField(raw, i+1, n)
			if err != nil {
				return err
			}
			i = j
			if i < end && raw[i] != ',' {
				if bad == nil {
					bad = &RecordError{Msg: "Row has text after a closing quote; inside a quoted field write a quote as \"\""}
				}
				for i < end && raw[i] != ',' {
					r.buf = append(r.buf, raw[i])
					i++
				}
			}
		} else {
			for i < end && raw[i] != ',' {
				if raw[i] == '"' && bad == nil {
					bad = &RecordError{Msg: "Row has a quote inside an unquoted field; quote the whole field and write the quote as \"\""}
				}
				r.buf = append(r.buf, raw[i])
				i++
			}
		}
		r.ends = append(r.ends, len(r.buf))
		if i >= end {
			break
		}
		i++ // the comma
	}
	r.makeFields()
	return bad
}

// quotedField copies a quoted field's content starting after its opening
// quote and returns the index after its closing quote.
func (r *Reader) quotedField(raw []byte, i, n int) (int, error) {
	for i < n {
		c := raw[i]
		if c != '"' {
			r.buf = append(r.buf, c)
			i++
			continue
		}
		if i+1 < n && raw[i+1] == '"' {
			r.buf = append(r.buf, '"')
			i += 2
			continue
		}
		return i + 1, nil
	}
	return 0, errOpenQuote
}

func (r *Reader) makeFields() {
	s := string(r.buf)
	r.fields = r.fields[:0]
	start := 0
	for _, e := range r.ends {
		r.fields = append(r.fields, s[start:e])
		start = e
	}
}
