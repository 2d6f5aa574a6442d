package quality

import (
	"errors"
	"io/fs"

	"github.com/vigie-audit/vigie/internal/l10n"
)

// The profile loader's errors a user meets first, in French and English.
func init() {
	l10n.Add(map[string]l10n.Msg{
		"quality.no_builtin": {FR: "aucun profil intégré « %s » : choisissez parmi %s", EN: "no built-in profile %q: choose one of %s"},
		"quality.unknown":    {FR: "profil inconnu « %s » : choisissez parmi %s, ou donnez le chemin d'un fichier YAML", EN: "unknown profile %q: choose one of %s, or pass a YAML file path"},
		"quality.read":       {FR: "lecture du profil %s : %s", EN: "read profile %s: %s"},
		"quality.profile":    {FR: "profil %s : %s", EN: "profile %s: %s"},
	})
}

// pathCause is a file error without the path the sentence names already.
func pathCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
