package demo

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"strings"
	"time"

	"samizdat/content"
	"samizdat/content/store"
)

// The demo's dialogue: replies under three stories from fictional accounts
// on fictional instances. Every host is under .example, a name reserved for
// examples (RFC 2606) that resolves nowhere, and Samizdat's HTTP client
// refuses such hosts outright, so nothing is ever fetched from or sent to
// them. The replies are stored through the same store methods the inbox
// uses, as if they had arrived signed from those instances; their avatars
// are drawn here, in the place the media proxy keeps its copies.

// account is a fictional fediverse account.
type account struct {
	User, Host, Name string
	Color            color.RGBA
}

func (a account) id() string { return "https://" + a.Host + "/users/" + a.User }

var accounts = map[string]account{
	"sam":    {"sam", "harbour.example", "Sam O'Neill", color.RGBA{0x1d, 0x4e, 0x89, 0xff}},
	"nadia":  {"nadia", "harbour.example", "Nadia K.", color.RGBA{0x8a, 0x5a, 0x00, 0xff}},
	"katya":  {"katya", "steppe.example", "Катя Н.", color.RGBA{0x9b, 0x1c, 0x1c, 0xff}},
	"taras":  {"taras", "dnipro.example", "Тарас", color.RGBA{0x2f, 0x6b, 0x3a, 0xff}},
	"maelle": {"maelle", "quai.example", "Maëlle", color.RGBA{0x5b, 0x2c, 0x6f, 0xff}},
	"lea":    {"lea", "quai.example", "Léa M.", color.RGBA{0x1f, 0x5f, 0x5b, 0xff}},
	"oskar":  {"oskar", "lindenhof.example", "Oskar Brandt", color.RGBA{0x44, 0x44, 0x55, 0xff}},
	"loud":   {"truth_teller_42", "shouting.example", "truth_teller_42", color.RGBA{0x66, 0x66, 0x66, 0xff}},
}

// demoReply is one reply of the dialogue. A reply answers either a
// translation of a story (Story and On, the translation's language) or
// another reply (Parent, its Key).
type demoReply struct {
	Key     string // stable, part of the ActivityPub id
	Story   string // the story's directory
	On      string // the language of the translation answered, when Parent is ""
	Parent  string
	Account string
	Lang    string
	After   time.Duration // after the translation's publication, or the parent reply
	Text    string        // plain paragraphs, separated by blank lines
	State   content.ReplyState
	Reason  string // why it is hidden
}

// dialogue lists parents before their replies.
var dialogue = []demoReply{
	{Key: "101", Story: "02-tbilisi", On: "en", Account: "sam", Lang: "en", After: 3 * time.Hour, State: content.ReplyVisible,
		Text: "My mother taught for thirty years. She would have recognised every line of this. Thank you for keeping the lessons going, wherever the classroom is."},
	{Key: "102", Story: "02-tbilisi", Parent: "101", Account: "katya", Lang: "ru", After: 5 * time.Hour, State: content.ReplyVisible,
		Text: "Моя мама тоже учительница. Она до сих пор ведёт уроки по видеосвязи — для детей, которые уехали вместе с семьями."},
	{Key: "103", Story: "02-tbilisi", Parent: "102", Account: "sam", Lang: "en", After: 2 * time.Hour, State: content.ReplyVisible,
		Text: "Please tell her that a stranger by the sea says thank you."},
	{Key: "104", Story: "02-tbilisi", On: "ru", Account: "taras", Lang: "uk", After: 20 * time.Hour, State: content.ReplyVisible,
		Text: "Читаю з Києва. Дякую, що пишете чесно: це важливіше, ніж здається."},
	{Key: "105", Story: "02-tbilisi", On: "ru", Account: "loud", Lang: "ru", After: 26 * time.Hour,
		State: content.ReplyHidden, Reason: "disinformation",
		Text: "Все эти истории выдуманы, никто никуда не уезжал."},

	{Key: "201", Story: "05-lyon", On: "fr", Account: "maelle", Lang: "fr", After: 4 * time.Hour, State: content.ReplyVisible,
		Text: "Chez nous aussi, on mélange les langues à table. Les enfants répondent dans celle qui arrive la première."},
	{Key: "202", Story: "05-lyon", Parent: "201", Account: "oskar", Lang: "de", After: 6 * time.Hour, State: content.ReplyVisible,
		Text: "Bei uns genauso: Deutsch, Russisch und ein bisschen Französisch aus der Schule. Es klingt chaotisch, aber es funktioniert."},
	{Key: "203", Story: "05-lyon", On: "en", Account: "nadia", Lang: "en", After: 9 * time.Hour, State: content.ReplyVisible,
		Text: "The part about arguing in one language and making up in the other made me laugh out loud."},
	{Key: "204", Story: "05-lyon", On: "fr", Account: "lea", Lang: "fr", After: 30 * time.Hour,
		State: content.ReplyPending,
		Text:  "Est-ce que vous organisez des rencontres à Lyon ? J'aimerais venir avec ma fille."},

	{Key: "301", Story: "07-berlin", On: "en", Account: "oskar", Lang: "de", After: 7 * time.Hour, State: content.ReplyVisible,
		Text: "Ich wohne zwei Straßen weiter. Wenn der Kurs noch Platz hat, komme ich gern vorbei."},
	{Key: "302", Story: "07-berlin", Parent: "301", Account: "taras", Lang: "uk", After: 3 * time.Hour, State: content.ReplyVisible,
		Text: "Приходьте! Там завжди є чай і печиво, а граматика — вже як вийде."},
	{Key: "303", Story: "07-berlin", On: "ru", Account: "katya", Lang: "ru", After: 12 * time.Hour, State: content.ReplyVisible,
		Text: "Спасибо за этот текст. Учить язык соседа — тоже способ сказать, что мы не враги."},
}

// reaction is a like or a boost of a translation by a demo account.
type reaction struct {
	Story, Lang, Kind, Account string
}

var reactions = func() []reaction {
	var out []reaction
	add := func(story, lang, kind string, who ...string) {
		for _, a := range who {
			out = append(out, reaction{story, lang, kind, a})
		}
	}
	add("02-tbilisi", "en", store.ReactionLike, "sam", "nadia", "oskar", "maelle")
	add("02-tbilisi", "en", store.ReactionAnnounce, "sam", "katya")
	add("02-tbilisi", "ru", store.ReactionLike, "katya", "taras")
	add("02-tbilisi", "ru", store.ReactionAnnounce, "taras")
	add("05-lyon", "fr", store.ReactionLike, "maelle", "lea", "oskar")
	add("05-lyon", "fr", store.ReactionAnnounce, "maelle")
	add("05-lyon", "en", store.ReactionLike, "nadia")
	add("07-berlin", "en", store.ReactionLike, "oskar", "nadia", "sam")
	add("07-berlin", "en", store.ReactionAnnounce, "oskar")
	add("07-berlin", "ru", store.ReactionLike, "katya")
	return out
}()

// replyHTML turns a demo reply's text into what the inbox would keep of
// a note: sanitized HTML paragraphs.
func replyHTML(text string) string {
	var b strings.Builder
	for _, p := range strings.Split(text, "\n\n") {
		b.WriteString("<p>" + strings.TrimSpace(p) + "</p>")
	}
	return content.SanitizeHTML(b.String())
}

// loadDialogue stores the dialogue under the demo stories that are in the
// database, published, in the languages loaded. It is idempotent: a reply
// already held (found by its ActivityPub id) is left as it is, perhaps
// approved or hidden since, and a reaction counts once. A reply whose
// translation or parent is missing is left out with its answers. baseURL
// is the site's, from which the Articles' ids are built.
func loadDialogue(ctx context.Context, st *store.Store, stories []story, baseURL string, now time.Time) (replies, reacts int, err error) {
	slugs := map[string]map[string]string{} // story dir → lang → slug
	for _, s := range stories {
		slugs[s.Dir] = map[string]string{}
		for _, tf := range s.Translations {
			slugs[s.Dir][tf.T.Lang] = tf.T.Slug
		}
	}
	translation := func(dir, lang string) (*content.Translation, error) {
		slug := slugs[dir][lang]
		if slug == "" {
			return nil, nil
		}
		t, err := st.TranslationBySlug(ctx, lang, slug)
		if errors.Is(err, content.ErrNotFound) || (err == nil && (t.State != content.StatePublished || t.ObjectKey == "")) {
			return nil, nil
		}
		return t, err
	}

	if err := saveAccounts(ctx, st, now); err != nil {
		return 0, 0, err
	}
	base := strings.TrimRight(baseURL, "/")
	held := map[string]*content.Reply{} // by Key
	for _, d := range dialogue {
		a := accounts[d.Account]
		r := &content.Reply{
			APID:       a.id() + "/statuses/" + d.Key,
			URL:        "https://" + a.Host + "/@" + a.User + "/" + d.Key,
			Author:     a.id(),
			AuthorHost: a.Host,
			Lang:       d.Lang,
			Visibility: content.VisibilityPublic,
		}
		var articleKey string
		if d.Parent == "" {
			t, err := translation(d.Story, d.On)
			if err != nil {
				return replies, reacts, err
			}
			if t == nil {
				continue
			}
			articleKey = t.ObjectKey
			r.InReplyTo = base + "/ap/articles/" + t.ObjectKey
			r.Published = t.PublishedAt.Add(d.After)
		} else {
			p := held[d.Parent]
			if p == nil {
				continue
			}
			r.StoryID, r.ParentID, r.InReplyTo, r.Depth = p.StoryID, p.ID, p.APID, p.Depth+1
			r.Published = p.Published.Add(d.After)
		}
		in, err := st.ReplyIntake(ctx, r.APID, r.Author, articleKey)
		if err != nil {
			return replies, reacts, err
		}
		if in.Existing != nil {
			held[d.Key] = in.Existing
			continue
		}
		if in.Tombstoned {
			continue
		}
		if in.Article != nil {
			r.StoryID, r.TranslationID = in.Article.StoryID, in.Article.TranslationID
		}
		if r.StoryID == 0 {
			continue
		}
		if r.Published.After(now) {
			r.Published = now
		}
		r.ReceivedAt = r.Published
		r.ContentHTML = replyHTML(d.Text)
		r.State, r.HiddenReason = d.State, d.Reason
		if d.State == content.ReplyPending {
			r.HeldFor = "policy"
		}
		stored, err := st.SaveReply(ctx, r, "")
		if err != nil {
			return replies, reacts, err
		}
		if stored {
			replies++
			held[d.Key] = r
		}
	}

	for _, rc := range reactions {
		t, err := translation(rc.Story, rc.Lang)
		if err != nil {
			return replies, reacts, err
		}
		if t == nil {
			continue
		}
		a := accounts[rc.Account]
		activity := fmt.Sprintf("%s#%s-%s-%s", a.id(), rc.Kind, rc.Story, rc.Lang)
		added, err := st.AddReaction(ctx, rc.Kind, activity, a.id(), t.ID)
		if err != nil {
			return replies, reacts, err
		}
		if added {
			reacts++
		}
	}
	return replies, reacts, nil
}

// saveAccounts stores the fictional authors as the inbox's actor fetch
// would, with avatars drawn into the media table under remote/ rather than
// copied: their icon URL stays empty, so the media proxy never looks for
// one.
func saveAccounts(ctx context.Context, st *store.Store, now time.Time) error {
	for _, a := range accounts {
		known, err := st.RemoteActorKnown(ctx, a.id())
		if err != nil {
			return err
		}
		if !known {
			ra := &store.RemoteActor{
				ID: a.id(), Host: a.Host, Username: a.User, Name: a.Name,
				Inbox:       a.id() + "/inbox",
				SharedInbox: "https://" + a.Host + "/inbox",
				URL:         "https://" + a.Host + "/@" + a.User,
				Followers:   a.id() + "/followers",
				FetchedAt:   now,
			}
			if err := st.SaveRemoteActor(ctx, ra); err != nil {
				return err
			}
		}
		img, err := drawAvatar(a.User+"@"+a.Host, a.Color)
		if err != nil {
			return fmt.Errorf("demo: avatar of %s: %w", a.User, err)
		}
		name, err := writeImage(ctx, st, "remote/", img, ".png")
		if err != nil {
			return fmt.Errorf("demo: avatar of %s: %w", a.User, err)
		}
		if err := st.SetRemoteActorIcon(ctx, a.id(), name); err != nil {
			return err
		}
	}
	return nil
}
