package record

import "strings"

// OpKind is a profile property operation.
type OpKind uint8

// The profile operations of a "<col>.operation" column.
const (
	OpSet    OpKind = iota + 1 // replace (the default)
	OpAdd                      // add to a multi-value list
	OpRemove                   // remove from a multi-value list
	OpDelete                   // remove the property
)

var opNames = [...]string{OpSet: "$set", OpAdd: "$add", OpRemove: "$remove", OpDelete: "$delete"}

func (k OpKind) String() string {
	if k >= OpSet && k <= OpDelete {
		return opNames[k]
	}
	return "$unknown"
}

// ParseOpKind reads an operation cell: trimmed, any case; empty is $set.
func ParseOpKind(s string) (OpKind, bool) {
	s = trim(s)
	if s == "" {
		return OpSet, true
	}
	for k := OpSet; k <= OpDelete; k++ {
		if strings.EqualFold(s, opNames[k]) {
			return k, true
		}
	}
	return 0, false
}

// Op is one operation on one profile property.
type Op struct {
	Name  string
	Kind  OpKind
	Value Value // unused by OpDelete
}

// ApplyOps applies ops to p (which must not be nil) in order.
//
// Multi-value lists hold unique strings, oldest first, at most
// MaxListItems: adding to a full list drops the oldest. Adding a value the
// list holds changes nothing (it keeps its place). $add on a single value
// makes a list of its text and the new one; $remove of the value a single
// value holds removes the property, as does removing a list's last item.
// Values join lists as their Text ($D_<epoch> for dates); empty text is
// ignored, as empty cells are. $set of a list value applies the same rules.
//
// Lists in p are owned by p: ApplyOps may append into a list's spare
// capacity (never over items another slice can see). Keep a copy with
// Props.Clone, not maps.Clone.
func ApplyOps(p Props, ops []Op) {
	for i := range ops {
		op := &ops[i]
		switch op.Kind {
		case OpSet:
			set(p, op)
		case OpDelete:
			delete(p, op.Name)
		case OpAdd, OpRemove:
			if op.Value.Kind != KindList {
				addOrRemove(p, op, op.Value.Text())
				continue
			}
			for _, s := range op.Value.L {
				addOrRemove(p, op, s)
			}
		}
	}
}

// set replaces; a list value is copied through the list rules, so that
// even a hand-made list cannot break them.
func set(p Props, op *Op) {
	if op.Value.Kind != KindList {
		p[op.Name] = op.Value
		return
	}
	var l []string
	for _, s := range op.Value.L {
		if s != "" {
			l = appendUnique(l, s)
		}
	}
	if l == nil {
		delete(p, op.Name)
		return
	}
	p[op.Name] = List(l)
}

func addOrRemove(p Props, op *Op, s string) {
	switch {
	case s == "":
	case op.Kind == OpAdd:
		add(p, op.Name, s)
	default:
		remove(p, op.Name, s)
	}
}

func add(p Props, name, s string) {
	old, ok := p[name]
	switch {
	case !ok || old.Kind != KindList && old.Text() == "":
		p[name] = List([]string{s})
	case old.Kind != KindList:
		if t := old.Text(); t != s {
			p[name] = List([]string{t, s})
		} else {
			p[name] = List([]string{s})
		}
	default:
		p[name] = List(appendUnique(old.L, s))
	}
}

// appendUnique adds s as the newest item, dropping the oldest beyond the
// cap. Slicing off the front and appending never writes over an item of l.
func appendUnique(l []string, s string) []string {
	if indexOf(l, s) >= 0 {
		return l
	}
	if over := len(l) + 1 - MaxListItems; over > 0 {
		l = l[over:]
	}
	return append(l, s)
}

func remove(p Props, name, s string) {
	old, ok := p[name]
	switch {
	case !ok:
	case old.Kind != KindList:
		if old.Text() == s {
			delete(p, name)
		}
	default:
		i := indexOf(old.L, s)
		switch {
		case i < 0:
		case len(old.L) == 1:
			delete(p, name)
		default: // a new slice: removal is rare and must not disturb sharers
			l := make([]string, 0, len(old.L)-1)
			p[name] = List(append(append(l, old.L[:i]...), old.L[i+1:]...))
		}
	}
}

// indexOf scans for s. Comparing the last byte before calling the string
// comparison makes the scan of a 100-item list about twice as fast: items
// often share a prefix and a length (ids, SKUs), rarely a last byte.
func indexOf(l []string, s string) int {
	n := len(s)
	if n == 0 {
		return -1
	}
	last := s[n-1]
	for i, x := range l {
		if len(x) == n && x[n-1] == last && x == s {
			return i
		}
	}
	return -1
}

// Clone copies p deeply (lists included), so that ApplyOps on one copy
// never shows in the other.
func (p Props) Clone() Props {
	if p == nil {
		return nil
	}
	c := make(Props, len(p))
	for k, v := range p {
		if v.L != nil {
			v.L = append([]string(nil), v.L...)
		}
		c[k] = v
	}
	return c
}
