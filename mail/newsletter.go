package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"samizdat/content"
	"samizdat/content/store"
)

// Config configures the newsletter.
type Config struct {
	BaseURL         *url.URL
	PublicationName string
	// Sender sends the mails; nil means the newsletter is not open (no
	// SMTP_URL, no MAIL_LOG), and nothing is queued.
	Sender Sender
	Logger *slog.Logger
	// SendTimeout bounds the confirmation mail sent from a request; 20
	// seconds if zero.
	SendTimeout time.Duration
}

// ErrUnavailable says that a confirmation mail could not be sent now; the
// reader may try again later.
var ErrUnavailable = errors.New("mail: cannot send now")

// Newsletter subscribes readers and mails them stories.
type Newsletter struct {
	cfg Config
	st  *store.Store
	log *slog.Logger
	// insert queues jobs in callers' transactions; it is never started: the
	// program's one running River client works them (Jobs).
	insert *river.Client[pgx.Tx]

	keyMu sync.Mutex
	key   []byte
}

// New returns the newsletter over st.
func New(cfg Config, st *store.Store) (*Newsletter, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = 20 * time.Second
	}
	rc, err := river.NewClient(riverpgxv5.New(st.Pool()), &river.Config{Logger: cfg.Logger})
	if err != nil {
		return nil, fmt.Errorf("mail: river client: %w", err)
	}
	return &Newsletter{cfg: cfg, st: st, log: cfg.Logger.With("component", "mail"), insert: rc}, nil
}

// Open reports whether mails can be sent: the form says otherwise.
func (n *Newsletter) Open() bool { return n.cfg.Sender != nil }

// Subscribe records a request to receive stories in langs at address, and
// mails its confirmation link in lang, unless the address is confirmed
// already or had one within the hour; either way the reader is told the
// same, so that the form reveals nothing about an address. The token lives
// only in memory and in the mail (docs/architecture.md#readers-taking-part).
func (n *Newsletter) Subscribe(ctx context.Context, address string, langs []string, lang string) error {
	if !n.Open() {
		return ErrUnavailable
	}
	address, err := content.NormalizeAddress(address)
	if err != nil {
		return err
	}
	token, hash := content.NewToken()
	send, err := n.st.Subscribe(ctx, address, langs, hash)
	if err != nil || !send {
		return err
	}
	link := n.url("/"+lang+"/newsletter/confirm", url.Values{"t": {token}})
	m := &Message{To: address, Subject: t(lang, "confirm.subject", n.cfg.PublicationName)}
	if err := render(m, body{Lang: lang, Publication: n.cfg.PublicationName, Link: link}); err != nil {
		return err
	}
	sendCtx, cancel := context.WithTimeout(ctx, n.cfg.SendTimeout)
	defer cancel()
	if err := n.cfg.Sender.Send(sendCtx, m); err != nil {
		n.log.Warn("confirmation mail not sent", "err", err)
		if err := n.st.CancelSubscribe(context.WithoutCancel(ctx), hash); err != nil {
			return err
		}
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return nil
}

// Hook is a store.ChangeHook: when a translation is first published, it
// records the story's issue and queues its sending, in the publishing
// transaction.
func (n *Newsletter) Hook(ctx context.Context, tx pgx.Tx, kind content.ChangeKind, tr *content.Translation) error {
	if kind != content.ChangePublished || !n.Open() {
		return nil
	}
	is := &content.NewsletterIssue{Lang: tr.Lang, TranslationID: tr.ID, Subject: tr.Title, TranslationIDs: []int64{tr.ID}}
	created, err := n.st.CreateNewsletterIssue(ctx, tx, is)
	if err != nil || !created {
		return err
	}
	return n.queue(ctx, tx, is.ID)
}

// SendIssue records an editor's digest of the given stories with an
// introduction and queues its sending to the subscribers of lang.
func (n *Newsletter) SendIssue(ctx context.Context, staffID int64, lang, subject, intro string, translationIDs []int64) (int64, error) {
	if !n.Open() {
		return 0, ErrUnavailable
	}
	is := &content.NewsletterIssue{Lang: lang, Subject: subject, Intro: intro, TranslationIDs: translationIDs, CreatedBy: staffID}
	err := pgx.BeginFunc(ctx, n.st.Pool(), func(tx pgx.Tx) error {
		if _, err := n.st.CreateNewsletterIssue(ctx, tx, is); err != nil {
			return err
		}
		if err := n.st.LogStaff(ctx, tx, staffID, "newsletter.send", fmt.Sprintf("issue %d", is.ID), lang+": "+subject); err != nil {
			return err
		}
		return n.queue(ctx, tx, is.ID)
	})
	if err != nil {
		return 0, fmt.Errorf("mail: send issue: %w", err)
	}
	return is.ID, nil
}

func (n *Newsletter) queue(ctx context.Context, tx pgx.Tx, issueID int64) error {
	if _, err := n.insert.InsertTx(ctx, tx, fanoutArgs{IssueID: issueID}, nil); err != nil {
		return fmt.Errorf("mail: queue issue %d: %w", issueID, err)
	}
	return nil
}

// newsletterKey returns the key of unsubscribe links, read once.
func (n *Newsletter) newsletterKey(ctx context.Context) ([]byte, error) {
	n.keyMu.Lock()
	defer n.keyMu.Unlock()
	if n.key == nil {
		k, err := n.st.NewsletterKey(ctx)
		if err != nil {
			return nil, err
		}
		n.key = k
	}
	return n.key, nil
}

// UnsubscribeURL returns the link that unsubscribes sub, in lang.
func (n *Newsletter) UnsubscribeURL(ctx context.Context, sub *content.Subscriber, lang string) (string, error) {
	key, err := n.newsletterKey(ctx)
	if err != nil {
		return "", err
	}
	return n.url("/"+lang+"/newsletter/unsubscribe", url.Values{
		"s": {strconv.FormatInt(sub.ID, 10)},
		"t": {content.UnsubscribeMAC(key, sub.ID, sub.Address)},
	}), nil
}

// url returns an absolute URL on the site.
func (n *Newsletter) url(path string, q url.Values) string {
	u := *n.cfg.BaseURL
	u.Path, u.RawQuery = path, q.Encode()
	return u.String()
}
