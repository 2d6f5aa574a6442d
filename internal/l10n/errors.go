package l10n

import (
	"errors"
	"strings"
	"syscall"

	"github.com/vigie-audit/vigie"
)

// Error renders err in lang. A *vigie.Error built from a catalogue sentence
// is rendered in lang, its error arguments too; an error that wraps one
// (fmt.Errorf("...: %w")) keeps its own words and has the wrapped text
// replaced by its rendering. Any other text (a server's answer, an error
// from the system) is kept as it is.
func Error(lang string, err error) string {
	if err == nil {
		return ""
	}
	if lz, ok := err.(interface{ Localize(string) string }); ok {
		return lz.Localize(Lang(lang))
	}
	if ve, ok := err.(*vigie.Error); ok && ve.ID != "" {
		args := make([]any, len(ve.Args))
		for i, a := range ve.Args {
			switch v := a.(type) {
			case error:
				a = Error(lang, v)
			case interface{ Localize(string) string }:
				a = v.Localize(Lang(lang))
			}
			args[i] = a
		}
		return T(lang, ve.ID, args...)
	}
	var errno syscall.Errno
	if errors.As(err, &errno) && err.Error() == errno.Error() {
		if id, ok := errnos[errno]; ok {
			return T(lang, id)
		}
	}
	text := err.Error()
	var inner []error
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		if e := u.Unwrap(); e != nil {
			inner = []error{e}
		}
	case interface{ Unwrap() []error }:
		inner = u.Unwrap()
	}
	for _, e := range inner {
		en, local := e.Error(), Error(lang, e)
		if en == local || en == "" {
			continue
		}
		if i := strings.LastIndex(text, en); i >= 0 {
			text = text[:i] + local + text[i+len(en):]
		}
	}
	return text
}

// errnos are the system's errors a user meets most, in both languages.
var errnos = map[syscall.Errno]string{
	syscall.ENOENT: "sys.enoent", syscall.EACCES: "sys.eacces", syscall.ENOSPC: "sys.enospc",
	syscall.EROFS: "sys.erofs", syscall.EISDIR: "sys.eisdir", syscall.ENOTDIR: "sys.enotdir",
}

func init() {
	Add(map[string]Msg{
		"sys.enoent":  {FR: "fichier ou dossier introuvable", EN: "no such file or directory"},
		"sys.eacces":  {FR: "permission refusée", EN: "permission denied"},
		"sys.enospc":  {FR: "plus de place sur le disque", EN: "no space left on device"},
		"sys.erofs":   {FR: "système de fichiers en lecture seule", EN: "read-only file system"},
		"sys.eisdir":  {FR: "c'est un dossier", EN: "is a directory"},
		"sys.enotdir": {FR: "ce n'est pas un dossier", EN: "not a directory"},
	})
}

// Sentence says whether err, or an error it wraps, is a catalogue sentence
// (so that it reads in the reader's language).
func Sentence(err error) bool {
	var ve *vigie.Error
	for e := err; errors.As(e, &ve); e = ve.Err {
		if ve.ID != "" {
			return true
		}
	}
	return false
}
