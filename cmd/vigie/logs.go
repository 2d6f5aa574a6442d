package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"

	"github.com/vigie-audit/vigie/internal/l10n"
)

// Log lines: the message in the reader's language, the keys in English for
// machines, and a stable "event" key naming what happened whatever the
// language ("harvest.retry"), so that a log collector matches events
// rather than sentences.
func init() {
	l10n.Add(map[string]l10n.Msg{
		"log.links.never_checked": {FR: "les liens n'ont jamais été vérifiés : la disponibilité sera inconnue (lancez d'abord « vigie links » pour l'inclure)",
			EN: "links were never checked: availability will be unknown (run 'vigie links' first to include it)"},
		"log.score.start":       {FR: "évaluation", EN: "scoring"},
		"log.links.start":       {FR: "vérification des liens", EN: "checking links"},
		"log.links.interrupted": {FR: "vérification des liens interrompue : les résultats obtenus sont enregistrés", EN: "link check interrupted: results so far are saved"},
		"log.harvest.retry":     {FR: "nouvel essai", EN: "retrying"},
		"log.harvest.start":     {FR: "moissonnage", EN: "harvest"},
		"log.harvest.missing_checked": {FR: "beaucoup de jeux marqués disparus d'un coup ; un échantillon vérifié avec package_show a bien disparu",
			EN: "many datasets marked missing at once; a sample checked with package_show is really gone"},
		"log.harvest.partial_listing": {FR: "cette passe complète n'a pas vu toute la liste (moins de jeux que le portail n'en compte, ou aucun) ; les suppressions n'ont pas été marquées",
			EN: "this full pass did not see the whole listing (fewer datasets than the portal counts, or none at all); deletions were not marked"},
		"log.harvest.done":        {FR: "moissonnage terminé", EN: "harvest done"},
		"log.score.done":          {FR: "évaluation terminée", EN: "score done"},
		"log.links.done":          {FR: "vérification des liens terminée", EN: "links done"},
		"log.report.written":      {FR: "rapport écrit", EN: "report written"},
		"log.report.per_org":      {FR: "rapports par organisation écrits", EN: "reports per organization written"},
		"log.report.compare":      {FR: "comparaison écrite", EN: "comparison written"},
		"log.db.unclean":          {FR: "le dernier processus d'écriture ne s'est pas terminé proprement : vérification de la base", EN: "the last writer did not finish cleanly: checking the database"},
		"log.db.migrated":         {FR: "base de données mise à jour pour ce vigie", EN: "database brought up to date for this vigie"},
		"log.audit.portal_failed": {FR: "échec de l'audit du portail", EN: "portal audit failed"},
		"log.progress.harvest":    {FR: "moissonnage", EN: "harvest"},
		"log.progress.links":      {FR: "vérification des liens", EN: "checking links"},
		"log.progress.per_org":    {FR: "rapports par organisation", EN: "reports per organization"},
		"log.progress.score":      {FR: "évaluation", EN: "scoring"},
		"progress.eta":            {FR: "reste", EN: "eta"},
	})
}

// logEvents maps each log message of the catalogue, by its id and by its
// text in either language, to its id; built on first use, after every
// package's init has registered its messages.
var logEvents = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, id := range l10n.IDs() {
		if !strings.HasPrefix(id, "log.") {
			continue
		}
		msg, _ := l10n.Lookup(id)
		for _, k := range []string{msg.EN, msg.FR} {
			if _, taken := m[k]; !taken {
				m[k] = id
			}
		}
		m[id] = id
	}
	return m
})

// logEvent is the catalogue id of a log message, "" when it has none.
func logEvent(msg string) string { return logEvents()[msg] }

// l10nHandler writes log records with their message in lang and an
// "event" key: the message's catalogue id without "log.", or the one the
// caller gave.
type l10nHandler struct {
	slog.Handler
	lang string
}

func newLogHandler(h slog.Handler, lang string) slog.Handler { return &l10nHandler{h, lang} }

// newLogger writes log lines to w as text or JSON (format), in lang, from
// level up.
func newLogger(w io.Writer, format, lang string, level slog.Level) *slog.Logger {
	hopts := &slog.HandlerOptions{Level: level}
	if format == "json" {
		return slog.New(newLogHandler(slog.NewJSONHandler(w, hopts), lang))
	}
	hopts.ReplaceAttr = plainSpaces
	return slog.New(newLogHandler(slog.NewTextHandler(w, hopts), lang))
}

func (h *l10nHandler) Handle(ctx context.Context, r slog.Record) error {
	id := logEvent(r.Message)
	hasEvent := false
	r.Attrs(func(at slog.Attr) bool {
		hasEvent = hasEvent || at.Key == "event"
		return !hasEvent
	})
	if id == "" && hasEvent {
		return h.Handler.Handle(ctx, r)
	}
	msg := r.Message
	if id != "" {
		msg = l10n.T(h.lang, id)
	}
	nr := slog.NewRecord(r.Time, r.Level, msg, r.PC)
	if !hasEvent {
		ev := strings.TrimPrefix(id, "log.")
		if id == "" {
			ev = "other"
		}
		nr.AddAttrs(slog.String("event", ev))
	}
	r.Attrs(func(at slog.Attr) bool {
		nr.AddAttrs(at)
		return true
	})
	return h.Handler.Handle(ctx, nr)
}

// plainSpaces turns the no-break spaces of French numbers ("1 500",
// "99 %") into plain spaces in text log lines, which would otherwise show
// them escaped ("1\u202f500") to whoever reads the cron mail. JSON lines
// keep them: JSON writes them as they are.
func plainSpaces(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindString {
		if s := a.Value.String(); strings.ContainsAny(s, "\u202f\u00a0") {
			a.Value = slog.StringValue(strings.NewReplacer("\u202f", " ", "\u00a0", " ").Replace(s))
		}
	}
	return a
}

func (h *l10nHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &l10nHandler{h.Handler.WithAttrs(attrs), h.lang}
}

func (h *l10nHandler) WithGroup(name string) slog.Handler {
	return &l10nHandler{h.Handler.WithGroup(name), h.lang}
}
