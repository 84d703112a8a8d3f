package web

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"sluice/internal/errs"
	"sluice/internal/record"
	"sluice/internal/store"
)

// profileEvents is how many of a profile's latest events the page shows.
const profileEvents = 20

// propView is one property ready to show: lists as lists, dates readable.
type propView struct {
	Name string
	Kind string // text, number, bool, date, list; none for an absent one
	Text string
	List []string
	Date when
}

type idView struct {
	Kind   string
	Values []string
}

type eventView struct {
	Name     string
	Time     when
	Props    []propView
	ImportID int64
}

type profilesData struct {
	Query       string
	NotFound    bool
	Profile     *store.Profile
	Identifiers []idView
	Props       []propView
	Events      []eventView
}

func (d *Dashboard) profilesPage(w http.ResponseWriter, r *http.Request, c *call) {
	data := profilesData{Query: strings.TrimSpace(r.URL.Query().Get("identifier"))}
	status := http.StatusOK
	if data.Query != "" {
		err := d.lookUp(r, c, &data)
		if errs.Is(err, errs.NotFound) {
			data.NotFound, status = true, http.StatusNotFound
		} else if err != nil {
			d.fail(w, r, err)
			return
		}
	}
	title := "Profiles"
	if data.Profile != nil {
		title = "Profile " + data.Query
	}
	d.show(w, r, c, status, "profiles", "profiles", title, data)
}

// lookUp fills data with the account's profile that has the identifier.
func (d *Dashboard) lookUp(r *http.Request, c *call, data *profilesData) error {
	acct := c.account().ID
	p, err := d.d.Store.ProfileByIdentifier(r.Context(), acct, data.Query)
	if err != nil {
		return err
	}
	evs, err := d.d.Store.ProfileEvents(r.Context(), acct, p.ID, profileEvents)
	if err != nil {
		return err
	}
	data.Profile, data.Identifiers, data.Props = &p, identifiersOf(p.Identifiers), c.propsOf(p.Props)
	for _, e := range evs {
		data.Events = append(data.Events, eventView{Name: e.Name, Time: c.fmt.When(time.Unix(e.Time, 0)),
			Props: c.propsOf(e.Props), ImportID: e.ImportID})
	}
	return nil
}

// identifiersOf groups identifiers by kind in the API's order of kinds.
func identifiersOf(ids []store.Identifier) []idView {
	var out []idView
	for _, kind := range record.IdentifierKinds {
		v := idView{Kind: kind}
		for _, id := range ids {
			if id.Kind == kind {
				v.Values = append(v.Values, id.Value)
			}
		}
		if len(v.Values) > 0 {
			out = append(out, v)
		}
	}
	return out
}

// propsOf lists properties by name, case-insensitively.
func (c *call) propsOf(p record.Props) []propView {
	out := make([]propView, 0, len(p))
	for name, v := range p {
		out = append(out, c.propView(name, v))
	}
	slices.SortFunc(out, func(a, b propView) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return out
}

// propView shows one property: lists as lists, dates in the account's zone.
func (c *call) propView(name string, v record.Value) propView {
	pv := propView{Name: name, Text: v.Text()}
	switch v.Kind {
	case record.KindList:
		pv.Kind, pv.List = "list", v.L
	case record.KindDate:
		pv.Kind, pv.Date = "date", c.fmt.Date(v.Time())
	case record.KindBool:
		pv.Kind = "bool"
	case record.KindInt, record.KindFloat:
		pv.Kind = "number"
	default:
		pv.Kind = "text"
	}
	return pv
}
