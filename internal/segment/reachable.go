package segment

import "strings"

// channel is a messaging channel and the communication preferences (SPEC
// section 3) that allow it: opt is the channel's MSG-<channel> flag, dnd its
// do-not-disturb flag ("" when the channel has none).
type channel struct {
	name, opt, dnd string
}

// channels is the table behind the reachable shorthand.
var channels = []channel{
	{"email", "MSG-email", "MSG-dndEmail"},
	{"sms", "MSG-sms", "MSG-dndSMS"},
	{"whatsapp", "MSG-whatsapp", "MSG-dndWhatsApp"},
	{"push", "MSG-push", ""},
}

func channelNamed(name string) (channel, bool) {
	for _, c := range channels {
		if c.name == name {
			return c, true
		}
	}
	return channel{}, false
}

func channelNames() string {
	names := make([]string, len(channels))
	for i, c := range channels {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}

// Expand is what the shorthand means: the channel's opt-in flag is not
// false (absent counts as allowed) and its do-not-disturb flag is not true.
// For email: {"all": [{"property": "MSG-email", "op": "ne", "value": false},
// {"property": "MSG-dndEmail", "op": "ne", "value": true}]}.
func (r Reachable) Expand() All {
	c, _ := channelNamed(r.Channel)
	all := All{Nodes: []Node{Prop{Name: c.opt, Op: OpNe, Values: []Value{{Kind: KindBool, Bool: false}}}}}
	if c.dnd != "" {
		all.Nodes = append(all.Nodes, Prop{Name: c.dnd, Op: OpNe, Values: []Value{{Kind: KindBool, Bool: true}}})
	}
	return all
}
