package record

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// AppendOps appends ops to b in a compact binary form that DecodeOps reads
// back exactly. Deferred profile changes are kept in it until they are
// folded into their profiles: JSON would cost a parse per value at the fold.
//
// Each op is its kind byte, its name, and its value: a kind byte, then a
// string, a varint (ints and dates), 8 bytes (floats), a byte (bools), or a
// count and strings (lists). Strings are a uvarint length and the bytes.
func AppendOps(b []byte, ops []Op) []byte {
	for i := range ops {
		op := &ops[i]
		b = append(b, byte(op.Kind))
		b = appendBytes(b, op.Name)
		b = appendValue(b, op.Value)
	}
	return b
}

func appendValue(b []byte, v Value) []byte {
	b = append(b, byte(v.Kind))
	switch v.Kind {
	case KindString:
		b = appendBytes(b, v.S)
	case KindInt, KindDate:
		b = binary.AppendVarint(b, v.I)
	case KindFloat:
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v.F))
	case KindBool:
		if v.B {
			return append(b, 1)
		}
		return append(b, 0)
	case KindList:
		b = binary.AppendUvarint(b, uint64(len(v.L)))
		for _, s := range v.L {
			b = appendBytes(b, s)
		}
	}
	return b
}

func appendBytes(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

var errOpsCut = errors.New("encoded ops: cut short")

// DecodeOps appends the ops encoded in b to dst.
func DecodeOps(dst []Op, b []byte) ([]Op, error) {
	var d OpsDecoder
	return d.Decode(dst, b)
}

// OpsDecoder decodes ops, sharing one string per property name among all
// it decodes: a fold decodes millions of ops over a few names.
type OpsDecoder struct {
	names map[string]string
	b     []byte
	err   error
	skims []skim         // ApplyEncoded's ops, values not yet decoded
	cut   map[string]int // ApplyEncoded: the last $set or $delete of each name
}

// Decode appends the ops encoded in b to dst.
func (d *OpsDecoder) Decode(dst []Op, b []byte) ([]Op, error) {
	d.b, d.err = b, nil
	for len(d.b) > 0 && d.err == nil {
		k, name := d.head()
		if d.err == nil {
			dst = append(dst, Op{Kind: k, Name: name, Value: d.value()})
		}
	}
	return dst, d.err
}

// head reads an op's kind and property name.
func (d *OpsDecoder) head() (OpKind, string) {
	k := OpKind(d.byte())
	if d.err == nil && (k < OpSet || k > OpDelete) {
		d.fail(fmt.Errorf("encoded ops: unknown operation %d", k))
	}
	return k, d.name()
}

func (d *OpsDecoder) name() string {
	raw := d.field()
	if s, ok := d.names[string(raw)]; ok {
		return s
	}
	if d.names == nil {
		d.names = map[string]string{}
	}
	s := string(raw)
	if len(d.names) < 1024 { // names are few; a file of many holds no more than this
		d.names[s] = s
	}
	return s
}

func (d *OpsDecoder) value() Value {
	v := Value{Kind: Kind(d.byte())}
	switch v.Kind {
	case 0: // $delete carries none
	case KindString:
		v.S = string(d.field())
	case KindInt, KindDate:
		v.I = d.varint()
	case KindFloat:
		if f := d.take(8); f != nil {
			v.F = math.Float64frombits(binary.LittleEndian.Uint64(f))
		}
	case KindBool:
		v.B = d.byte() == 1
	case KindList:
		v.L = make([]string, d.listLen())
		for i := range v.L {
			v.L[i] = string(d.field())
		}
	default:
		d.fail(fmt.Errorf("encoded ops: unknown value kind %d", v.Kind))
	}
	return v
}

func (d *OpsDecoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
	d.b = nil
}

func (d *OpsDecoder) byte() byte {
	if c := d.take(1); c != nil {
		return c[0]
	}
	return 0
}

// take returns the next n bytes, or nil when fewer are left.
func (d *OpsDecoder) take(n uint64) []byte {
	if n > uint64(len(d.b)) {
		d.fail(errOpsCut)
		return nil
	}
	b := d.b[:n]
	d.b = d.b[n:]
	return b
}

// field returns the next length-prefixed bytes.
func (d *OpsDecoder) field() []byte { return d.take(d.uvarint()) }

// listLen reads a list's item count, each item taking at least a byte.
func (d *OpsDecoder) listLen() uint64 {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail(errOpsCut)
		return 0
	}
	return n
}

func (d *OpsDecoder) uvarint() uint64 {
	n, k := binary.Uvarint(d.b)
	if k <= 0 {
		d.fail(errOpsCut)
		return 0
	}
	d.b = d.b[k:]
	return n
}

func (d *OpsDecoder) varint() int64 {
	n, k := binary.Varint(d.b)
	if k <= 0 {
		d.fail(errOpsCut)
		return 0
	}
	d.b = d.b[k:]
	return n
}
