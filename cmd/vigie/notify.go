package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/l10n"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigie-audit/vigie/config"
	"github.com/vigie-audit/vigie/internal/plain"
	"github.com/vigie-audit/vigie/notify"
	"github.com/vigie-audit/vigie/reports"
	"github.com/vigie-audit/vigie/store"
)

func init() { register(newNotifyCmd) }

type notifyOptions struct {
	dir         string
	send        bool
	onlyChanges bool
	to          string
	orgs        []string
}

func newNotifyCmd(a *App) *cobra.Command {
	o := &notifyOptions{}
	cmd := &cobra.Command{
		Use:   "notify",
		Short: "E-mail each publisher its report (dry run unless --send)",
		Long: `Write the per-publisher bundle (as 'vigie report --per-org DIR') for the portal,
then e-mail each organization its report: to the addresses found in its
datasets' metadata (author_email, maintainer_email, contact points), with a
short summary in the body and its html and xlsx reports attached.

By default nothing is sent: every message that would go is printed (to whom,
subject, attachments). --send sends them through the SMTP server of the
configuration's smtp section: host, port (587), from, username and
password_file (the password is read from that file, never from the
configuration, and never printed), subject, reply_to, ca_file. The session
always switches to TLS with STARTTLS and checks the certificate; starttls:
false is allowed only for a relay on this machine.

--only-changes mails only the publishers whose results got worse between the
last two audits of the portal: mean overall score down by more than half a
point, more findings of severity error, or more broken links.

--to ADDRESS sends every message to that address instead (to try the
delivery before writing to publishers). Organizations without an address
are listed and skipped. A message that fails does not stop the others; the
exit code is 1 if any failed.`,
		Example: `  $ vigie notify                                 # dry run: what would be sent
  $ vigie notify --only-changes --send           # after the nightly audit
  $ vigie notify --send --to me@example.org      # everything to me first
  $ vigie notify --portal montreal --dir /srv/publishers/montreal`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runNotify(cmd.Context(), a, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.dir, "dir", "publishers", "folder of the per-publisher reports (written again first)")
	f.BoolVar(&o.send, "send", false, "send the messages (without it, only print what would be sent)")
	f.BoolVar(&o.onlyChanges, "only-changes", false, "only publishers whose results got worse since the previous audit")
	f.StringVar(&o.to, "to", "", "send every message to this address instead of the publishers'")
	addOrgFlag(f, &o.orgs, "only this organization")
	return cmd
}

// outgoing is one message to one publisher.
type outgoing struct {
	entry  reports.OrgEntry
	to     []string
	reason string // why it is sent with --only-changes
	msg    *notify.Message
}

func runNotify(ctx context.Context, a *App, o *notifyOptions) error {
	var smtpCfg = a.Config.SMTPSettings()
	if o.to != "" {
		addr, err := notify.CheckAddress(o.to)
		if err != nil {
			return usage("usage.to", err)
		}
		o.to = addr
	}
	var server *notify.Server
	if o.send {
		if smtpCfg == nil {
			return usage("usage.send")
		}
		s, err := smtpServer(smtpCfg)
		if err != nil {
			return err
		}
		server = s
	}
	from := "vigie@localhost"
	if smtpCfg != nil {
		from = smtpCfg.From
	}
	if _, err := notify.CheckAddress(from); err != nil {
		return usage("usage.smtp_from", err)
	}
	db, err := a.OpenDBReadOnly(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := db.Portal(ctx, a.Portal)
	if err != nil {
		return err
	}
	var worse map[string]string
	if o.onlyChanges {
		var note string
		worse, note, err = worsened(ctx, db, p, a.Lang)
		if err != nil {
			return err
		}
		if worse == nil {
			fmt.Fprintln(a.Stdout, note)
			return nil
		}
	}
	bar := newProgress(a, "log.progress.per_org")
	b, err := reports.WritePerOrg(ctx, db, reports.PerOrgOptions{PortalURL: p.URL, Dir: o.dir, Lang: a.Lang, CSV: reports.CSVFor(a.Lang), Progress: bar.Set})
	bar.Done()
	if err != nil {
		return err
	}
	wanted := map[string]bool{}
	for _, n := range o.orgs {
		wanted[n] = true
	}
	var msgs []outgoing
	var noAddress []string
	for _, e := range b.Orgs {
		if len(wanted) > 0 && !wanted[e.Name] {
			continue
		}
		reason, isWorse := worse[e.Name]
		if o.onlyChanges && !isWorse {
			continue
		}
		to := e.Emails
		if o.to != "" {
			to = []string{o.to}
		}
		if len(to) == 0 {
			noAddress = append(noAddress, e.Name)
			continue
		}
		m, err := publisherMessage(a.Lang, b, e, reason, from, to, smtpCfg)
		if err != nil {
			return err
		}
		msgs = append(msgs, outgoing{entry: e, to: to, reason: reason, msg: m})
	}
	if len(wanted) > 0 && len(msgs)+len(noAddress) == 0 {
		return usage("usage.notify_org")
	}
	sent, failed := 0, 0
	for _, m := range msgs {
		attach := make([]string, 0, len(m.msg.Attachments))
		for _, at := range m.msg.Attachments {
			attach = append(attach, fmt.Sprintf("%s (%s)", at.Name, sizeText(len(at.Data), a.Lang)))
		}
		what := l10n.T(a.Lang, "notify.what", strings.Join(m.to, ", "), reports.OneLine(m.msg.Subject, 200), strings.Join(attach, ", "))
		if m.reason != "" {
			what += l10n.T(a.Lang, "notify.worse", m.reason)
		}
		if server == nil {
			fmt.Fprintln(a.Stdout, l10n.T(a.Lang, "notify.would_send", what))
			continue
		}
		raw, err := m.msg.Bytes()
		if err == nil {
			err = server.Send(ctx, from, m.to, raw)
		}
		if err != nil {
			failed++
			fmt.Fprintln(a.Stdout, l10n.T(a.Lang, "notify.failed", reports.OneLine(m.entry.Name, 80), plain.FirstLine(l10n.Error(a.Lang, err))))
			if errors.Is(err, context.Canceled) {
				return err
			}
			continue
		}
		sent++
		fmt.Fprintln(a.Stdout, l10n.T(a.Lang, "notify.sent", what))
	}
	for _, n := range noAddress {
		fmt.Fprintln(a.Stdout, l10n.T(a.Lang, "notify.skipped", reports.OneLine(n, 80), filepath.Join(o.dir, "contacts.csv")))
	}
	scope := ""
	if o.onlyChanges {
		scope = l10n.T(a.Lang, "notify.scope.worse")
	}
	if server == nil {
		fmt.Fprintln(a.Stdout, l10n.T(a.Lang, "notify.dry_run", l10n.N(a.Lang, "n.would_send", len(msgs)), scope, l10n.N(a.Lang, "n.no_address", len(noAddress))))
		return nil
	}
	fmt.Fprintln(a.Stdout, l10n.T(a.Lang, "notify.done", l10n.N(a.Lang, "n.messages.sent", sent), l10n.Int(failed, a.Lang), l10n.N(a.Lang, "n.no_address", len(noAddress))))
	if failed > 0 {
		return vigie.NewError(vigie.KindOther, "cmd.notify_failed", l10n.Int(failed, a.Lang), l10n.N(a.Lang, "n.messages", len(msgs)))
	}
	return nil
}

func sizeText(n int, lang string) string {
	if n < 1024 {
		return l10n.T(lang, "notify.bytes", l10n.Int(n, lang))
	}
	return l10n.T(lang, "notify.kb", l10n.Int((n+1023)/1024, lang))
}

func init() {
	l10n.Add(map[string]l10n.Msg{
		"notify.what":        {FR: "%s : « %s », %s", EN: "%s: «%s», %s"},
		"notify.worse":       {FR: " ; en baisse : %s", EN: "; worse: %s"},
		"notify.would_send":  {FR: "serait envoyé à %s", EN: "would send to %s"},
		"notify.sent":        {FR: "envoyé à %s", EN: "sent to %s"},
		"notify.failed":      {FR: "ÉCHEC  %s : %s", EN: "FAILED  %s: %s"},
		"notify.skipped":     {FR: "%s ignoré : aucune adresse de courriel dans les métadonnées de ses jeux (voir %s)", EN: "skipped %s: no e-mail address in its datasets' metadata (see %s)"},
		"notify.scope.worse": {FR: " dont les résultats ont baissé", EN: " whose results got worse"},
		"notify.dry_run": {FR: "simulation : %s aux éditeurs%s, %s ; rien n'a été envoyé : ajoutez --send pour envoyer",
			EN: "dry run: %s to publishers%s, %s; nothing was sent: add --send to send"},
		"n.would_send":        {FR: "%s message serait envoyé|%s messages seraient envoyés", EN: "%s message would be sent|%s messages would be sent"},
		"notify.done":         {FR: "%s, %s en échec, %s", EN: "%s, %s failed, %s"},
		"notify.bytes":        {FR: "%s o", EN: "%s B"},
		"notify.kb":           {FR: "%s Ko", EN: "%s KB"},
		"notify.only_changes": {FR: "--only-changes compare les deux derniers audits de %s et il y en a %s : rien n'a baissé, aucun message", EN: "--only-changes compares the last two audits of %s and there are %s: nothing got worse, no message"},
		"notify.why.overall":  {FR: "score global %s → %s", EN: "overall %s → %s"},
		"notify.why.errors":   {FR: "erreurs %s → %s", EN: "errors %s → %s"},
		"notify.why.broken":   {FR: "liens brisés %s → %s", EN: "broken links %s → %s"},
		"n.messages.sent":     {FR: "%s message envoyé|%s messages envoyés", EN: "%s message sent|%s messages sent"},
		"n.no_address":        {FR: "%s éditeur sans adresse|%s éditeurs sans adresse", EN: "%s publisher without an address|%s publishers without an address"},
	})
}

// smtpServer builds the server from the configuration, reading the password
// file and the CA file.
func smtpServer(c *smtpSettings) (*notify.Server, error) {
	s := &notify.Server{Host: c.Host, Port: c.Port, Username: c.Username}
	if c.StartTLS != nil && !*c.StartTLS {
		s.PlainText = true
	}
	if c.PasswordFile != "" {
		b, err := os.ReadFile(c.PasswordFile)
		if err != nil {
			return nil, vigie.NewError(vigie.KindOther, "cmd.password_unreadable", c.PasswordFile)
		}
		s.Password = strings.TrimSpace(string(b))
		if s.Password == "" {
			return nil, vigie.NewError(vigie.KindOther, "cmd.password_empty", c.PasswordFile)
		}
	}
	if c.CAFile != "" {
		t, err := notify.LoadCA(c.CAFile)
		if err != nil {
			return nil, err
		}
		s.TLS = t
	}
	if err := s.Check(); err != nil {
		return nil, usageErr("%v", err)
	}
	return s, nil
}

// worsened compares each organization between the last two complete audits
// of the portal. A nil map means there is nothing to compare yet (note says why).
func worsened(ctx context.Context, db *store.DB, p *store.Portal, lang string) (map[string]string, string, error) {
	audits, err := db.AuditRuns(ctx, p.ID, 0)
	if err != nil {
		return nil, "", err
	}
	var runs []int64
	for _, au := range audits {
		if au.Status == store.RunComplete && au.ScoreRunID != 0 {
			runs = append(runs, au.ScoreRunID)
		}
		if len(runs) == 2 {
			break
		}
	}
	if len(runs) < 2 {
		return nil, l10n.T(lang, "notify.only_changes", p.URL, l10n.Int(len(runs), lang)), nil
	}
	now, err := reports.OrganizationsOf(ctx, db, p.URL, runs[0])
	if err != nil {
		return nil, "", err
	}
	before, err := reports.OrganizationsOf(ctx, db, p.URL, runs[1])
	if err != nil {
		return nil, "", err
	}
	prev := map[string]reports.Organization{}
	for _, o := range before {
		prev[o.Name] = o
	}
	out := map[string]string{}
	for _, o := range now {
		b, ok := prev[o.Name]
		if !ok {
			continue
		}
		var why []string
		if o.Scores.Overall != nil && b.Scores.Overall != nil && *o.Scores.Overall < *b.Scores.Overall-0.5 {
			why = append(why, l10n.T(lang, "notify.why.overall", reports.FormatMean(b.Scores.Overall, lang), reports.FormatMean(o.Scores.Overall, lang)))
		}
		if o.Findings.Error > b.Findings.Error {
			why = append(why, l10n.T(lang, "notify.why.errors", l10n.Int(b.Findings.Error, lang), l10n.Int(o.Findings.Error, lang)))
		}
		if o.BrokenLinks != nil && b.BrokenLinks != nil && *o.BrokenLinks > *b.BrokenLinks {
			why = append(why, l10n.T(lang, "notify.why.broken", l10n.Int(*b.BrokenLinks, lang), l10n.Int(*o.BrokenLinks, lang)))
		}
		if len(why) > 0 {
			out[o.Name] = strings.Join(why, ", ")
		}
	}
	return out, "", nil
}

type smtpSettings = config.SMTP

// publisherMessage is the e-mail of one organization: a short summary in
// the body, its html and xlsx reports attached.
func publisherMessage(lang string, b *reports.Bundle, e reports.OrgEntry, reason, from string, to []string, c *smtpSettings) (*notify.Message, error) {
	title := reports.OneLine(e.Title, 120)
	if title == "" {
		title = reports.OneLine(e.Name, 120)
	}
	subject := map[string]string{"fr": "Qualité de vos données ouvertes : %s", "en": "Your open data quality report: %s"}[lang]
	subject = fmt.Sprintf(subject, title)
	if c != nil && c.Subject != "" {
		subject = c.Subject + " — " + title
	}
	var body strings.Builder
	s := e.Scores
	worst := make([]string, 0, len(e.Worst))
	for _, d := range e.Worst {
		worst = append(worst, fmt.Sprintf("  - %s (%s)", reports.OneLine(d.Name, 120), reports.FormatScore(d.Overall, lang)))
	}
	if lang == "en" {
		fmt.Fprintf(&body, "Hello,\n\nHere is the quality report of the datasets %s publishes on %s (score run #%d of %s).\n\n",
			title, b.Portal, b.ScoreRun.ID, b.ScoreRun.StartedAt.UTC().Format("2006-01-02"))
		if reason != "" {
			fmt.Fprintf(&body, "Since the previous audit: %s.\n\n", reason)
		}
		fmt.Fprintf(&body, "Datasets: %s (rank %s of %s publishers)\nMean overall score: %s / 100 (completeness %s, freshness %s, openness %s, availability %s)\nFindings of severity error: %s\nBroken links: %s\n",
			l10n.Int(e.Datasets, lang), l10n.Int(e.Rank, lang), l10n.Int(len(b.Orgs), lang), reports.FormatMean(s.Overall, lang), reports.FormatMean(s.Completeness, lang), reports.FormatMean(s.Freshness, lang),
			reports.FormatMean(s.Openness, lang), reports.FormatMean(s.Availability, lang), l10n.Int(e.Findings.Error, lang), reports.FormatCount(e.BrokenLinks, lang))
		if len(worst) > 0 {
			fmt.Fprintf(&body, "\nDatasets to look at first:\n%s\n", strings.Join(worst, "\n"))
		}
		body.WriteString("\nThe attached report (open the .html file in a browser, or the .xlsx workbook) lists every finding and how to fix it.\n\n-- \nvigie, open data audit\n")
	} else {
		fmt.Fprintf(&body, "Bonjour,\n\nVoici le rapport de qualité des jeux de données que %s publie sur %s (analyse n° %d du %s).\n\n",
			title, b.Portal, b.ScoreRun.ID, b.ScoreRun.StartedAt.UTC().Format("2006-01-02"))
		if reason != "" {
			fmt.Fprintf(&body, "Depuis l'audit précédent : %s.\n\n", reason)
		}
		fmt.Fprintf(&body, "Jeux de données : %s (rang %s sur %s éditeurs)\nScore global moyen : %s / 100 (complétude %s, fraîcheur %s, ouverture %s, disponibilité %s)\nConstats de gravité erreur : %s\nLiens brisés : %s\n",
			l10n.Int(e.Datasets, lang), l10n.Int(e.Rank, lang), l10n.Int(len(b.Orgs), lang), reports.FormatMean(s.Overall, lang), reports.FormatMean(s.Completeness, lang), reports.FormatMean(s.Freshness, lang),
			reports.FormatMean(s.Openness, lang), reports.FormatMean(s.Availability, lang), l10n.Int(e.Findings.Error, lang), reports.FormatCount(e.BrokenLinks, lang))
		if len(worst) > 0 {
			fmt.Fprintf(&body, "\nJeux de données à regarder en premier :\n%s\n", strings.Join(worst, "\n"))
		}
		body.WriteString("\nLe rapport joint (le fichier .html s'ouvre dans un navigateur, le classeur .xlsx dans un tableur) détaille chaque constat et comment le corriger.\n\n-- \nvigie, audit des données ouvertes\n")
	}
	m := &notify.Message{From: from, To: to, Subject: subject, Body: body.String()}
	if c != nil {
		m.ReplyTo = c.ReplyTo
	}
	types := map[string]string{"html": "text/html; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
	for _, f := range e.Files {
		ext := strings.TrimPrefix(filepath.Ext(f), ".")
		ct, ok := types[ext]
		if !ok {
			continue
		}
		data, err := os.ReadFile(filepath.Join(b.Dir, f))
		if err != nil {
			return nil, fmt.Errorf("attachment %s: %v", f, err)
		}
		m.Attachments = append(m.Attachments, notify.Attachment{Name: f, ContentType: ct, Data: data})
	}
	return m, nil
}
