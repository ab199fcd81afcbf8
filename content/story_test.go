package content

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// validTranslation returns a translation that passes Validate; tests break
// one field at a time.
func validTranslation() *Translation {
	return &Translation{
		Lang:         "en",
		Title:        "Letters from Tbilisi",
		Teaser:       "A teacher from Saint Petersburg on her second winter in Georgia.",
		BodyMarkdown: "She arrived with two suitcases.",
		Slug:         "letters-from-tbilisi",
		Tags:         []string{"exile", "teaching"},
		CoverAlt:     "A wooden balcony over a quiet street.",
		State:        StateDraft,
	}
}

// fields returns the field names of a *ValidationError, or fails.
func fields(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %T %v, want *ValidationError", err, err)
	}
	var out []string
	for k := range ve.Fields {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestTranslation_Validate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(*Translation)
		want   []string // invalid fields; nil when valid
	}{
		{"OK", func(*Translation) {}, nil},
		{"OK Cyrillic title and tags", func(tr *Translation) {
			tr.Lang, tr.Title, tr.Tags = "ru", "Письма из Тбилиси", []string{"эмиграция", "школа_2"}
		}, nil},
		{"OK no tags, no body, no cover", func(tr *Translation) { tr.Tags, tr.BodyMarkdown, tr.CoverAlt = nil, "", "" }, nil},
		{"OK limits exactly", func(tr *Translation) {
			tr.Title = strings.Repeat("ж", MaxTitle)
			tr.Teaser = strings.Repeat("ж", MaxTeaser)
			tr.Slug = strings.Repeat("a", MaxSlug)
			tr.Tags = make([]string, MaxTags)
			for i := range tr.Tags {
				tr.Tags[i] = strings.Repeat("т", MaxTagLen-1) + string(rune('a'+i))
			}
			tr.BodyMarkdown = strings.Repeat("x", MaxBody)
			tr.CoverAlt = strings.Repeat("ж", 1000)
		}, nil},
		{"ErrLangMissing", func(tr *Translation) { tr.Lang = "" }, []string{"lang"}},
		{"ErrTitleMissing", func(tr *Translation) { tr.Title = "" }, []string{"title"}},
		{"ErrTitleTooLong", func(tr *Translation) { tr.Title = strings.Repeat("ж", MaxTitle+1) }, []string{"title"}},
		{"ErrTeaserMissing", func(tr *Translation) { tr.Teaser = "" }, []string{"teaser"}},
		{"ErrTeaserTooLong", func(tr *Translation) { tr.Teaser = strings.Repeat("ж", MaxTeaser+1) }, []string{"teaser"}},
		{"ErrTeaserLessThan", func(tr *Translation) { tr.Teaser = "a < b" }, []string{"teaser"}},
		{"ErrTeaserMarkup", func(tr *Translation) { tr.Teaser = "<b>bold</b>" }, []string{"teaser"}},
		{"ErrSlugMissing", func(tr *Translation) { tr.Slug = "" }, []string{"slug"}},
		{"ErrSlugTooLong", func(tr *Translation) { tr.Slug = strings.Repeat("a", MaxSlug+1) }, []string{"slug"}},
		{"ErrSlugUpperCase", func(tr *Translation) { tr.Slug = "Letters" }, []string{"slug"}},
		{"ErrSlugDoubleHyphen", func(tr *Translation) { tr.Slug = "a--b" }, []string{"slug"}},
		{"ErrSlugEdgeHyphen", func(tr *Translation) { tr.Slug = "-a" }, []string{"slug"}},
		{"ErrSlugSlash", func(tr *Translation) { tr.Slug = "../admin" }, []string{"slug"}},
		{"ErrSlugCyrillic", func(tr *Translation) { tr.Slug = "письма" }, []string{"slug"}},
		{"ErrTooManyTags", func(tr *Translation) {
			tr.Tags = nil
			for i := range MaxTags + 1 {
				tr.Tags = append(tr.Tags, "tag"+string(rune('a'+i)))
			}
		}, []string{"tags"}},
		{"ErrTagWithSpace", func(tr *Translation) { tr.Tags = []string{"two words"} }, []string{"tags"}},
		{"ErrTagWithHyphen", func(tr *Translation) { tr.Tags = []string{"anti-war"} }, []string{"tags"}},
		{"ErrTagWithHash", func(tr *Translation) { tr.Tags = []string{"#war"} }, []string{"tags"}},
		{"ErrTagEmpty", func(tr *Translation) { tr.Tags = []string{""} }, []string{"tags"}},
		{"ErrTagTooLong", func(tr *Translation) { tr.Tags = []string{strings.Repeat("т", MaxTagLen+1)} }, []string{"tags"}},
		{"ErrBodyTooLong", func(tr *Translation) { tr.BodyMarkdown = strings.Repeat("x", MaxBody+1) }, []string{"body"}},
		{"ErrCoverAltTooLong", func(tr *Translation) { tr.CoverAlt = strings.Repeat("ж", 1001) }, []string{"cover_alt"}},
		{"ErrStateMissing", func(tr *Translation) { tr.State = "" }, []string{"state"}},
		{"ErrStateUnknown", func(tr *Translation) { tr.State = "archived" }, []string{"state"}},
		{"ErrEverything", func(tr *Translation) { *tr = Translation{} }, []string{"lang", "slug", "state", "teaser", "title"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := validTranslation()
			tt.change(tr)
			if got := fields(t, tr.Validate()); !slices.Equal(got, tt.want) {
				t.Errorf("invalid fields = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTranslation_Normalize(t *testing.T) {
	t.Parallel()
	tr := &Translation{
		Lang:         "fr",
		Title:        "  Nous deux, à Lyon  ",
		Teaser:       "\tUn couple franco-russe.\n",
		CoverAlt:     " Deux tasses. ",
		Tags:         []string{" Exil", "#exil", "Dialogue", ""},
		BodyMarkdown: `Elle a dit "oui".`,
	}
	tr.Normalize()
	if tr.Title != "Nous deux, à Lyon" || tr.Teaser != "Un couple franco-russe." || tr.CoverAlt != "Deux tasses." {
		t.Errorf("not trimmed: %q %q %q", tr.Title, tr.Teaser, tr.CoverAlt)
	}
	if tr.Slug != "nous-deux-a-lyon" {
		t.Errorf("Slug = %q, want it derived from the title", tr.Slug)
	}
	if !slices.Equal(tr.Tags, []string{"exil", "dialogue"}) {
		t.Errorf("Tags = %q", tr.Tags)
	}
	if !strings.Contains(tr.BodyHTML, "&laquo;&#8239;oui&#8239;&raquo;") {
		t.Errorf("BodyHTML = %q, want French quotes", tr.BodyHTML)
	}

	kept := &Translation{Lang: "en", Title: "A title", Slug: "  My-Slug "}
	kept.Normalize()
	if kept.Slug != "my-slug" {
		t.Errorf("given slug: got %q, want %q", kept.Slug, "my-slug")
	}
}

func TestTranslation_Updated(t *testing.T) {
	t.Parallel()
	pub := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name              string
		published, edited time.Time
		want              time.Time
	}{
		{"Never edited", pub, time.Time{}, pub},
		{"Edited later", pub, pub.Add(time.Hour), pub.Add(time.Hour)},
		{"Edit before a republication", pub, pub.Add(-time.Hour), pub},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := &Translation{PublishedAt: tt.published, EditedAt: tt.edited}
			if got := tr.Updated(); !got.Equal(tt.want) {
				t.Errorf("Updated() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTranslation_Public(t *testing.T) {
	t.Parallel()
	for _, s := range States {
		tr := &Translation{State: s}
		if got, want := tr.Public(), s == StatePublished; got != want {
			t.Errorf("Public() in state %s = %v, want %v", s, got, want)
		}
	}
}

func TestStory_Validate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		story Story
		want  []string
	}{
		{"OK publication", Story{BylineKind: BylinePublication}, nil},
		{"OK publication ignores a name", Story{BylineKind: BylinePublication, BylineName: strings.Repeat("x", 500)}, nil},
		{"OK name", Story{BylineKind: BylineName, BylineName: "Nino Beridze"}, nil},
		{"OK pseudonym", Story{BylineKind: BylinePseudonym, BylineName: "Мать солдата"}, nil},
		{"OK name at the limit", Story{BylineKind: BylineName, BylineName: strings.Repeat("ж", 100)}, nil},
		{"ErrNameMissing", Story{BylineKind: BylineName}, []string{"byline_name"}},
		{"ErrPseudonymBlank", Story{BylineKind: BylinePseudonym, BylineName: "   "}, []string{"byline_name"}},
		{"ErrNameTooLong", Story{BylineKind: BylineName, BylineName: strings.Repeat("ж", 101)}, []string{"byline_name"}},
		{"ErrKindMissing", Story{}, []string{"byline_kind"}},
		{"ErrKindUnknown", Story{BylineKind: "anonymous", BylineName: "x"}, []string{"byline_kind"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fields(t, tt.story.Validate()); !slices.Equal(got, tt.want) {
				t.Errorf("invalid fields = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStory_Normalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name               string
		in                 Story
		wantName, wantSlug string
	}{
		{"Name", Story{BylineKind: BylineName, BylineName: "  Nino Beridze "}, "Nino Beridze", "nino-beridze"},
		{"Cyrillic pseudonym", Story{BylineKind: BylinePseudonym, BylineName: "Мать солдата"}, "Мать солдата", "mat-soldata"},
		{"Publication drops the name", Story{BylineKind: BylinePublication, BylineName: "Someone"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := tt.in
			st.Normalize()
			if st.BylineName != tt.wantName || st.BylineSlug != tt.wantSlug {
				t.Errorf("got name %q slug %q, want %q %q", st.BylineName, st.BylineSlug, tt.wantName, tt.wantSlug)
			}
		})
	}
}

func TestStory_Translation(t *testing.T) {
	t.Parallel()
	en, ru := &Translation{Lang: "en"}, &Translation{Lang: "ru"}
	st := &Story{Translations: []*Translation{en, ru}}
	if st.Translation("ru") != ru || st.Translation("en") != en {
		t.Error("Translation returned the wrong translation")
	}
	if st.Translation("fr") != nil {
		t.Error("Translation(fr) should be nil")
	}
}

func TestState_Valid(t *testing.T) {
	t.Parallel()
	for _, s := range States {
		if !s.Valid() {
			t.Errorf("%q.Valid() = false", s)
		}
	}
	for _, s := range []State{"", "Published", "deleted"} {
		if s.Valid() {
			t.Errorf("%q.Valid() = true", s)
		}
	}
}

// TestCanTransition checks the whole matrix, so that adding a transition
// is a decision someone writes down here.
func TestCanTransition(t *testing.T) {
	t.Parallel()
	const (
		d = StateDraft
		s = StateScheduled
		p = StatePublished
		w = StateWithdrawn
	)
	allowed := map[[2]State]bool{
		{d, s}: true, // schedule a draft
		{d, p}: true, // publish a draft now
		{s, d}: true, // unschedule
		{s, s}: true, // reschedule
		{s, p}: true, // publish before the time, or when the time comes
		{p, w}: true, // withdraw: a Delete goes out
		{w, d}: true, // back to work
		{w, p}: true, // publish again, under a new Article id
	}
	for _, from := range States {
		for _, to := range States {
			if got, want := CanTransition(from, to), allowed[[2]State{from, to}]; got != want {
				t.Errorf("CanTransition(%s, %s) = %v, want %v", from, to, got, want)
			}
		}
	}
	for _, bad := range []State{"", "archived"} {
		for _, s := range States {
			if CanTransition(bad, s) || CanTransition(s, bad) {
				t.Errorf("CanTransition with unknown state %q and %s = true", bad, s)
			}
		}
	}
}

func TestNormalizeTags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"Nil", nil, []string{}},
		{"Trim and lower", []string{"  War ", "EXILE"}, []string{"war", "exile"}},
		{"Hash prefix", []string{"#dialogue", " #Диалог"}, []string{"dialogue", "диалог"}},
		{"Duplicates keep the first", []string{"exil", "Exil", "#exil", "guerre"}, []string{"exil", "guerre"}},
		{"Empty dropped", []string{"", " ", "#"}, []string{}},
		{"Cyrillic capitals", []string{"ВОЙНА"}, []string{"война"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NormalizeTags(tt.in)
			if got == nil || !slices.Equal(got, tt.want) {
				t.Errorf("NormalizeTags(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestSplitTags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"", []string{}},
		{"war, exile", []string{"war", "exile"}},
		{"war exile\tdialogue\nfamily", []string{"war", "exile", "dialogue", "family"}},
		{"#War,,#war , ", []string{"war"}},
		{"война, эмиграция,диалог", []string{"война", "эмиграция", "диалог"}},
	}
	for _, tt := range tests {
		if got := SplitTags(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("SplitTags(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNextEditTime(t *testing.T) {
	pub := time.Date(2026, 11, 25, 19, 22, 52, 400_000_000, time.UTC)
	for _, tc := range []struct {
		name      string
		now, want time.Time
	}{
		{"SameSecond", pub.Add(300 * time.Millisecond), time.Date(2026, 11, 25, 19, 22, 53, 0, time.UTC)},
		{"NextSecondAlready", pub.Add(900 * time.Millisecond), pub.Add(900 * time.Millisecond)},
		{"Later", pub.Add(time.Hour), pub.Add(time.Hour)},
		{"ClockBehind", pub.Add(-time.Minute), time.Date(2026, 11, 25, 19, 22, 53, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := NextEditTime(tc.now, pub)
			if !got.Equal(tc.want) {
				t.Errorf("NextEditTime(%v) = %v, want %v", tc.now, got, tc.want)
			}
			if got.Truncate(time.Second).Unix() <= pub.Unix() {
				t.Errorf("%v is not a whole second after %v", got, pub)
			}
		})
	}
}
