package record

import (
	"slices"
	"unicode/utf8"
)

// Row is one converted CSV row.
type Row struct {
	Identifiers []Identifier // valid identifiers, in the order identity, objectId, fbId, gpId
	EventName   string       // events only
	TS          int64        // epoch seconds; 0: absent (the caller uses processing time)
	Props       Props        // events: event properties; profiles: the $set values. Never nil.
	Ops         []Op         // profiles only: every property operation, in column order
}

// rowConv is the state of one Convert call; it lives on the stack.
type rowConv struct {
	c       *Converter
	fields  []string
	row     Row
	reasons []string
	nprops  int  // filled property cells, for the event limit
	evtSeen bool // the event name cell was filled
}

// Convert maps, converts and checks one row. Reasons are in column order,
// then the row-wide ones (identifiers, event name, property count); any
// reason means the row is refused whole and Row must be ignored.
func (c *Converter) Convert(fields []string) (Row, []string) {
	return c.ConvertReusing(fields, nil)
}

// ConvertReusing is Convert with props, emptied first, as the row's Props
// (nil: a new map), for a caller that is done with a row's Props before it
// converts the next row (one map per row was a quarter of an events import's
// allocations).
func (c *Converter) ConvertReusing(fields []string, props Props) (Row, []string) {
	if len(fields) != c.width {
		return Row{}, []string{RowFieldCount(len(fields), c.width)}
	}
	r := rowConv{c: c, fields: fields}
	if props == nil {
		props = make(Props, c.nprops)
	}
	clear(props)
	r.row.Props = props
	if c.profile {
		r.row.Ops = make([]Op, 0, c.nprops)
	}
	for i := range c.cols {
		r.column(&c.cols[i])
	}
	r.identifiers()
	r.finish()
	return r.row, r.reasons
}

// add records a reason once: the fixed messages would otherwise repeat.
func (r *rowConv) add(reason string) {
	if !slices.Contains(r.reasons, reason) {
		r.reasons = append(r.reasons, reason)
	}
}

func (r *rowConv) cell(col *column) string {
	if col.field < 0 {
		return ""
	}
	return r.fields[col.field]
}

func (r *rowConv) column(col *column) {
	switch col.role {
	case roleProp:
		if r.c.profile {
			r.profileProp(col)
		} else {
			r.eventProp(col)
		}
	case roleIdent:
		r.onlySet(col)
	case roleTS:
		r.onlySet(col)
		r.ts(col)
	case roleEvtName:
		r.eventName(col)
	case roleEventOp:
		if trim(r.fields[col.field]) != "" {
			r.add(col.csv + ": profile operations apply only to profile imports")
		}
	}
}

func (r *rowConv) eventProp(col *column) {
	raw := r.fields[col.field]
	t := trim(raw)
	if t == "" {
		return
	}
	r.nprops++
	if col.nameErr != "" {
		r.add(col.nameErr)
	}
	v, reason := r.c.value(col, raw, t)
	if reason != "" {
		r.add(reason)
	}
	if reason == "" && col.nameErr == "" {
		r.row.Props[col.name] = v
	}
}

// profileProp reads a property and its operation. $delete ignores the
// value cell: it removes the property whatever the cell holds.
func (r *rowConv) profileProp(col *column) {
	kind, ok := r.op(col)
	if !ok {
		r.add(MsgOperation)
	}
	raw := r.cell(col)
	t := trim(raw)
	switch {
	case kind == OpDelete && col.nameErr != "":
		r.add(col.nameErr)
		return
	case kind == OpDelete:
		r.row.Ops = append(r.row.Ops, Op{Name: col.name, Kind: OpDelete})
		return
	case t == "":
		return
	}
	if col.nameErr != "" {
		r.add(col.nameErr)
	}
	v, reason := r.c.value(col, raw, t)
	if reason != "" {
		r.add(reason)
	}
	if !ok || reason != "" || col.nameErr != "" {
		return
	}
	if kind == OpSet {
		r.row.Props[col.name] = v
	}
	r.row.Ops = append(r.row.Ops, Op{Name: col.name, Kind: kind, Value: v})
}

// op is the operation of a profile column: $set when there is no
// operation column or its cell is empty.
func (r *rowConv) op(col *column) (OpKind, bool) {
	if col.op < 0 {
		return OpSet, true
	}
	return ParseOpKind(r.fields[col.op])
}

// onlySet refuses operations other than $set on identifiers and ts,
// which are not properties.
func (r *rowConv) onlySet(col *column) {
	if col.op < 0 {
		return
	}
	switch kind, ok := r.op(col); {
	case !ok:
		r.add(MsgOperation)
	case kind != OpSet:
		r.add(col.opCSV + ": " + quote(trim(r.fields[col.op])) + " cannot apply to " + col.name + ", which takes only $set")
	}
}

func (r *rowConv) ts(col *column) {
	t := trim(r.cell(col))
	if t == "" {
		return
	}
	var n int64
	var ok bool
	if col.layout != layoutNone {
		n, ok = parseDate(t, col.layout, r.c.loc)
	} else {
		n, ok = parseEpoch(t)
	}
	switch {
	case ok && n >= 1:
		r.row.TS = n
	case col.layout != layoutNone:
		r.add(invalidValue(col.csv, t, dateWhat(col.layout)+" after 1970"))
	default:
		r.add(col.csv + ": " + quote(t) + " is not valid epoch seconds (whole number from 1 to 253402300799)")
	}
}

func (r *rowConv) eventName(col *column) {
	t := trim(r.fields[col.field])
	if t == "" {
		return
	}
	r.evtSeen = true
	switch n := utf8.RuneCountInString(t); {
	case !utf8.ValidString(t):
		r.add(notUTF8(col.csv))
	case n > MaxStringChars:
		r.add(tooLong(col.csv, t, n))
	case isRestricted(t):
		r.add(MsgRestricted)
	default:
		r.row.EventName = t
	}
}

// identifiers collects the valid identifiers. Placeholders are skipped as
// if empty; an identifier of 1024 characters or more (or not UTF-8)
// refuses the row, as the message says.
func (r *rowConv) identifiers() {
	bad := false
	for _, i := range r.c.idents {
		col := &r.c.cols[i]
		v := trim(r.cell(col))
		if v == "" || isPlaceholder(v) {
			continue
		}
		if !utf8.ValidString(v) || len(v) > MaxIdentityChars && utf8.RuneCountInString(v) > MaxIdentityChars {
			bad = true
			continue
		}
		if r.row.Identifiers == nil {
			r.row.Identifiers = make([]Identifier, 0, len(r.c.idents))
		}
		r.row.Identifiers = append(r.row.Identifiers, Identifier{Kind: col.name, Value: v})
	}
	if bad || len(r.row.Identifiers) == 0 {
		r.add(MsgIdentity)
	}
}

func (r *rowConv) finish() {
	if r.c.profile {
		return
	}
	if !r.evtSeen {
		r.add(MsgEventName)
	}
	if r.nprops > MaxEventProps {
		r.add(MsgTooManyProps)
	}
}
