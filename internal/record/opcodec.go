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
		var op Op
		op.Kind = OpKind(d.byte())
		if op.Kind < OpSet || op.Kind > OpDelete {
			return dst, fmt.Errorf("encoded ops: unknown operation %d", op.Kind)
		}
		op.Name = d.name()
		op.Value = d.value()
		dst = append(dst, op)
	}
	return dst, d.err
}

func (d *OpsDecoder) name() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail(errOpsCut)
		return ""
	}
	raw := d.b[:n]
	d.b = d.b[n:]
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
		v.S = d.str()
	case KindInt, KindDate:
		v.I = d.varint()
	case KindFloat:
		if len(d.b) < 8 {
			d.fail(errOpsCut)
			return v
		}
		v.F = math.Float64frombits(binary.LittleEndian.Uint64(d.b))
		d.b = d.b[8:]
	case KindBool:
		v.B = d.byte() == 1
	case KindList:
		n := d.uvarint()
		if n > uint64(len(d.b)) { // each item takes at least a byte
			d.fail(errOpsCut)
			return v
		}
		v.L = make([]string, n)
		for i := range v.L {
			v.L[i] = d.str()
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
	if len(d.b) < 1 {
		d.fail(errOpsCut)
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
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

func (d *OpsDecoder) str() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail(errOpsCut)
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}
