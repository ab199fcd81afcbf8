package mail

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"samizdat/content/store"
)

// Staff who choose it get a mail summing up what awaits them in the desk:
// new submissions, volunteer offers, questions and replies held for
// moderation; at most one an hour, and none when nothing is new. The desk
// is in English, and so are these mails.

const (
	// SummaryEvery is the least time between two summaries to one member.
	SummaryEvery = time.Hour
	// summaryCheck is how often the periodic job looks for summaries due.
	summaryCheck = 10 * time.Minute
)

// summaryArgs asks for the summaries due to be sent.
type summaryArgs struct{}

func (summaryArgs) Kind() string { return "staff_summary" }

func (summaryArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: 1}
}

// SendSummaries mails every summary due and returns how many went. A
// member whose mail failed is tried again at the next pass; one whose mail
// went is not mailed again within SummaryEvery.
func (n *Newsletter) SendSummaries(ctx context.Context) (int, error) {
	if !n.Open() {
		return 0, nil
	}
	due, err := n.st.DueSummaries(ctx, SummaryEvery)
	if err != nil {
		return 0, err
	}
	sent := 0
	var errs []error
	for _, sm := range due {
		now := n.st.Now()
		if err := n.cfg.Sender.Send(ctx, n.summaryMessage(sm)); err != nil {
			errs = append(errs, fmt.Errorf("mail: summary to staff %d: %w", sm.StaffID, err))
			continue
		}
		if err := n.st.MarkSummarySent(context.WithoutCancel(ctx), sm.StaffID, now); err != nil {
			errs = append(errs, err)
			continue
		}
		sent++
	}
	return sent, errors.Join(errs...)
}

// summaryMessage is one member's summary.
func (n *Newsletter) summaryMessage(sm store.StaffSummary) *Message {
	type line struct {
		count     int
		one, many string
		path      string
	}
	lines := []line{
		{sm.Submissions, "new story sent through “Tell your story”", "new stories sent through “Tell your story”", "/desk/submissions"},
		{sm.Volunteers, "new offer to join the team", "new offers to join the team", "/desk/volunteers"},
		{sm.Questions, "new question awaiting the editors", "new questions awaiting the editors", "/desk/questions/"},
		{sm.Replies, "new reply awaiting moderation", "new replies awaiting moderation", "/desk/moderation/"},
	}
	var text, html strings.Builder
	fmt.Fprintf(&text, "Hello %s,\n\nsince %s UTC, %s has:\n\n", sm.Name, sm.Since.UTC().Format("2 January 15:04"), n.cfg.PublicationName)
	html.WriteString("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"></head><body>")
	fmt.Fprintf(&html, "<p>Hello %s,</p><p>since %s UTC, %s has:</p><ul>", escape(sm.Name), sm.Since.UTC().Format("2 January 15:04"), escape(n.cfg.PublicationName))
	for _, l := range lines {
		if l.count == 0 {
			continue
		}
		what := l.many
		if l.count == 1 {
			what = l.one
		}
		link := n.url(l.path, nil)
		fmt.Fprintf(&text, "- %d %s: %s\n", l.count, what, link)
		fmt.Fprintf(&html, `<li><a href="%s">%d %s</a></li>`, escape(link), l.count, escape(what))
	}
	account := n.url("/desk/account/", nil)
	fmt.Fprintf(&text, "\nYou get at most one such mail an hour. To stop them: %s\n", account)
	fmt.Fprintf(&html, `</ul><p>You get at most one such mail an hour. <a href="%s">Stop them</a>.</p></body></html>`, escape(account))
	return &Message{To: sm.Email, Subject: fmt.Sprintf("%s: %d new in the desk", n.cfg.PublicationName, sm.Total()), Text: text.String(), HTML: html.String()}
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")

func escape(s string) string { return htmlEscaper.Replace(s) }
