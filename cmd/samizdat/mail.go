package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"log/slog"

	"samizdat/content/store"
	"samizdat/federation/delivery"
	"samizdat/mail"
)

// smtpRoots, when set, replaces the system's roots for the SMTP server's
// certificate: tests trust their own server's.
var smtpRoots *x509.CertPool

// newNewsletter builds the newsletter with the sender the configuration
// asks for: SMTP, the log (MAIL_LOG), or none (the newsletter is closed).
func newNewsletter(cfg config, st *store.Store, logger *slog.Logger) (*mail.Newsletter, error) {
	var sender mail.Sender
	switch {
	case cfg.Mail.Enabled:
		smtp := cfg.Mail.SMTP
		if smtpRoots != nil {
			smtp.TLSConfig = &tls.Config{RootCAs: smtpRoots, ServerName: smtp.Host, MinVersion: tls.VersionTLS12}
		}
		sender = mail.NewSMTP(smtp)
	case cfg.Mail.Log:
		sender = mail.Log{Logger: logger.With("component", "mail")}
	}
	return mail.New(mail.Config{BaseURL: cfg.BaseURL, PublicationName: cfg.PublicationName, Sender: sender, Logger: logger}, st)
}

// newsletterWork is the newsletter's mails and clean-up as work for the
// delivery queue's River client, the program's one.
func newsletterWork(n *mail.Newsletter) delivery.Work {
	return delivery.Work{Queue: mail.Queue, MaxWorkers: 8, Register: n.AddWorkers, Periodic: n.PeriodicJobs()}
}

// subscribeFunc is the website's way to the newsletter, nil when it is closed.
func subscribeFunc(n *mail.Newsletter) func(ctx context.Context, address string, langs []string, lang string) error {
	if !n.Open() {
		return nil
	}
	return n.Subscribe
}

// sendIssueFunc is the desk's way to send an issue, nil when the
// newsletter is closed.
func sendIssueFunc(n *mail.Newsletter) func(ctx context.Context, staffID int64, lang, subject, intro string, ids []int64) (int64, error) {
	if !n.Open() {
		return nil
	}
	return n.SendIssue
}
