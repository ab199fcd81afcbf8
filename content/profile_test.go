package content

import (
	"strings"
	"testing"
)

func TestProfileField_Link(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"https://social.example/@vera", "https://social.example/@vera"},
		{"  http://example.org/  ", "http://example.org/"},
		{"example.org", ""},
		{"javascript:alert(1)", ""},
		{"https://", ""},
		{"https://exa mple.org", ""},
		{"mailto:vera@example.org", ""},
	} {
		if got := (ProfileField{Label: "x", Value: c.in}).Link(); got != c.want {
			t.Errorf("Link(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestActorProfile_Validate(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		p      ActorProfile
		fields []string // the fields with a problem; none means valid
	}{
		{"Empty", ActorProfile{}, nil},
		{"Full", ActorProfile{DisplayName: "Samizdat", Bio: "A *bio*", Fields: []ProfileField{{"Site", "https://example.org/"}, {}, {"Motto", "Say it"}}}, nil},
		{"LongName", ActorProfile{DisplayName: strings.Repeat("я", 101)}, []string{"display_name"}},
		{"TwoLineName", ActorProfile{DisplayName: "a\nb"}, []string{"display_name"}},
		{"LongBio", ActorProfile{Bio: strings.Repeat("b", 5001)}, []string{"bio"}},
		{"NoLabel", ActorProfile{Fields: []ProfileField{{"", "v"}}}, []string{"field_label_1"}},
		{"NoValue", ActorProfile{Fields: []ProfileField{{}, {"l", ""}}}, []string{"field_value_2"}},
		{"LongValue", ActorProfile{Fields: []ProfileField{{"l", strings.Repeat("v", 256)}}}, []string{"field_value_1"}},
		{"TooMany", ActorProfile{Fields: make([]ProfileField, 5)}, []string{"fields"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := c.p
			err := p.Validate()
			got := fieldNames(err)
			if strings.Join(got, ",") != strings.Join(c.fields, ",") {
				t.Errorf("problems with %v, want %v (%v)", got, c.fields, err)
			}
		})
	}
	p := ActorProfile{DisplayName: "  Samizdat ", Fields: []ProfileField{{}, {" Site ", " https://example.org/ "}}}
	if err := p.Validate(); err != nil || p.DisplayName != "Samizdat" || len(p.Fields) != 1 || p.Fields[0] != (ProfileField{"Site", "https://example.org/"}) {
		t.Errorf("cleaned = %+v, %v", p, err)
	}
}

func fieldNames(err error) []string {
	ve, ok := err.(*ValidationError)
	if !ok {
		return nil
	}
	var out []string
	for k := range ve.Fields {
		out = append(out, k)
	}
	return out
}
