package quality

import (
	"github.com/vigie-audit/vigie/internal/l10n"
	"strings"

	"github.com/vigie-audit/vigie"
)

// availability is the share of the dataset's checked resources whose link
// works. Links never checked, and links whose state is unsure (401/403, 429,
// bot challenge, TLS, timeout, host unreachable during the run), are left
// out of the share: they are unknown, not failures. Broken, invalid and
// blocked (non-public address) links count as failures. A failing link (it
// failed, but not yet as often and as long as the debounce asks before
// calling it broken) is left out too, as the debounce leaves it unsettled:
// it costs no point but gets a warning, and counts once confirmed broken.
// So one failed check, a 503 during a deployment, does not move the score
// up and down from night to night. With no assessable link the score is
// unknown (nil).
func (r *run) availability() opt {
	if len(r.d.Resources) == 0 {
		return none
	}
	if r.links == nil {
		r.add(vigie.Finding{Rule: "LINK-NOT-CHECKED", Dimension: vigie.DimAvailability, Severity: vigie.SevInfo,
			Message: tx("Les liens n'ont pas encore été vérifiés : disponibilité inconnue.", "Links have not been checked yet: availability is unknown."),
			Hint:    tx("Lancez « vigie links » puis « vigie score ».", "Run \"vigie links\" then \"vigie score\".")})
		return none
	}
	type fail struct {
		x    *vigie.Resource
		lr   *vigie.LinkResult
		rule string
		sev  vigie.Severity
	}
	var fails, pending []fail
	assessed, unsure, unchecked := 0, 0, 0
	for i := range r.d.Resources {
		x := &r.d.Resources[i]
		if strings.TrimSpace(x.URL) == "" {
			assessed++
			fails = append(fails, fail{x, nil, "LINK-NO-URL", vigie.SevError})
			continue
		}
		lr := r.res[i].lr()
		if lr == nil {
			unchecked++
			continue
		}
		switch lr.Class {
		case vigie.LinkOK:
			assessed++
			r.linkNotes(x, &r.res[i], lr)
		case vigie.LinkUnsure:
			unsure++
		case vigie.LinkFailing:
			pending = append(pending, fail{x, lr, "LINK-FAILING", vigie.SevWarning})
		case vigie.LinkBroken:
			assessed++
			fails = append(fails, fail{x, lr, "LINK-BROKEN", vigie.SevError})
		case vigie.LinkInvalid:
			assessed++
			fails = append(fails, fail{x, lr, "LINK-INVALID", vigie.SevError})
		case vigie.LinkBlocked:
			assessed++
			fails = append(fails, fail{x, lr, "LINK-BLOCKED", vigie.SevError})
		default:
			unsure++
		}
	}
	if unsure > 0 {
		r.add(vigie.Finding{Rule: "LINK-UNSURE", Dimension: vigie.DimAvailability, Severity: vigie.SevInfo,
			Message: countText(unsure,
				"1 lien n'a pas pu être vérifié avec certitude (accès refusé, limite de requêtes, délai dépassé…) et ne compte pas.",
				"%d liens n'ont pas pu être vérifiés avec certitude (accès refusé, limite de requêtes, délai dépassé…) et ne comptent pas.",
				"1 link could not be checked with certainty (access denied, rate limit, timeout…) and does not count.",
				"%d links could not be checked with certainty (access denied, rate limit, timeout…) and do not count."),
			Hint: tx("Vérifiez ces liens à la main ; s'ils exigent une authentification, les données ne sont pas réellement ouvertes.", "Check these links by hand; if they require authentication, the data are not really open.")})
	}
	if unchecked > 0 {
		r.add(vigie.Finding{Rule: "LINK-UNCHECKED", Dimension: vigie.DimAvailability, Severity: vigie.SevInfo,
			Message: countText(unchecked,
				"1 lien n'a pas encore été vérifié et ne compte pas.", "%d liens n'ont pas encore été vérifiés et ne comptent pas.",
				"1 link has not been checked yet and does not count.", "%d links have not been checked yet and do not count."),
			Hint: tx("Relancez « vigie links ».", "Run \"vigie links\" again.")})
	}
	for _, f := range pending {
		r.add(vigie.Finding{Rule: f.rule, Dimension: vigie.DimAvailability, Severity: f.sev, ResourceID: f.x.ID,
			Message: linkMessage(f.rule, f.x, f.lr), Hint: linkHint(f.rule)})
	}
	if assessed == 0 {
		return none
	}
	raw := make([]float64, len(fails))
	for i := range fails {
		raw[i] = 100 / float64(assessed)
	}
	cents := apportion(raw)
	lost := 0
	for i, f := range fails {
		lost += cents[i]
		r.add(vigie.Finding{Rule: f.rule, Dimension: vigie.DimAvailability, Severity: f.sev, ResourceID: f.x.ID,
			Points: float64(cents[i]) / 100, Message: linkMessage(f.rule, f.x, f.lr), Hint: linkHint(f.rule)})
	}
	return fromCents(10000 - lost)
}

// linkDetail is the check's outcome in both languages: " (HTTP 404, not
// found)", the status said once.
func linkDetail(lr *vigie.LinkResult) vigie.Text {
	if lr == nil {
		return vigie.Text{}
	}
	one := func(lang string) string {
		reason := l10n.LinkReason(lang, lr.Reason)
		code := ""
		if lr.Status > 0 {
			code = "HTTP " + itoa(lr.Status)
		}
		switch {
		case reason == "" && code == "":
			return ""
		case reason == "":
			return " (" + code + ")"
		case code == "" || strings.Contains(reason, code):
			return " (" + reason + ")"
		}
		return " (" + code + ", " + reason + ")"
	}
	return vigie.Text{FR: one("fr"), EN: one("en")}
}

func linkMessage(rule string, x *vigie.Resource, lr *vigie.LinkResult) vigie.Text {
	name, dt := resLabel(x), linkDetail(lr)
	d, e := dt.FR, dt.EN
	switch rule {
	case "LINK-NO-URL":
		return tx("La ressource « %s » n'a pas d'URL.", "Resource %q has no URL.", name)
	case "LINK-FAILING":
		n := 0
		if lr != nil {
			n = lr.Failures
		}
		return countText(n,
			"Le lien de la ressource « "+name+" » a échoué"+d+" à la dernière vérification ; il ne compte pas dans la disponibilité tant qu'il n'est pas confirmé rompu.",
			"Le lien de la ressource « "+name+" » a échoué"+d+" aux %d dernières vérifications ; il ne compte pas dans la disponibilité tant qu'il n'est pas confirmé rompu.",
			"The link of resource \""+name+"\" failed"+e+" at the last check; it does not count in availability until it is confirmed broken.",
			"The link of resource \""+name+"\" failed"+e+" at the last %d checks; it does not count in availability until it is confirmed broken.")
	case "LINK-INVALID":
		return vigie.Text{FR: "Le lien de la ressource « " + name + " » n'est pas une URL valide" + d + ".", EN: "The link of resource \"" + name + "\" is not a valid URL" + e + "."}
	case "LINK-BLOCKED":
		return vigie.Text{FR: "Le lien de la ressource « " + name + " » mène à une adresse non publique" + d + ".", EN: "The link of resource \"" + name + "\" leads to a non-public address" + e + "."}
	}
	return vigie.Text{FR: "Le lien de la ressource « " + name + " » est rompu" + d + ".", EN: "The link of resource \"" + name + "\" is broken" + e + "."}
}

func linkHint(rule string) vigie.Text {
	switch rule {
	case "LINK-NO-URL", "LINK-INVALID":
		return tx("Donnez une adresse complète et valide vers le fichier.", "Give a full, valid address to the file.")
	case "LINK-BLOCKED":
		return tx("Publiez le fichier à une adresse accessible depuis Internet.", "Publish the file at an address reachable from the Internet.")
	case "LINK-FAILING":
		return tx("Vérifiez que le serveur répond ; si le fichier a déménagé, mettez le lien à jour.", "Check that the server answers; if the file moved, update the link.")
	}
	return tx("Mettez le lien à jour ou téléversez le fichier sur le portail.", "Update the link or upload the file to the portal.")
}

// countText picks the singular or plural sentence for n (%d in the plural
// ones). French takes the singular for 0 and 1.
func countText(n int, fr1, frN, en1, enN string) vigie.Text {
	t := vigie.Text{FR: frN, EN: enN}
	if n <= 1 {
		t.FR = fr1
	}
	if n == 1 {
		t.EN = en1
	}
	t.FR = strings.Replace(t.FR, "%d", itoa(n), 1)
	t.EN = strings.Replace(t.EN, "%d", itoa(n), 1)
	return t
}

// nWords writes n and its noun in the singular or the plural: French takes
// the singular for 0 and 1, English only for 1.
func nWords(n int, english bool, one, many string) string {
	if n == 1 || (!english && n == 0) {
		return itoa(n) + " " + one
	}
	return itoa(n) + " " + many
}

// linkNotes reports what a working link's check showed that the publisher
// should fix although the link works: an HTML page where data was declared
// (a landing page) and a chain of more than two redirects. They cost no
// availability point (the link answers); a landing page already costs its
// stars in openness.
func (r *run) linkNotes(x *vigie.Resource, ri *resInfo, lr *vigie.LinkResult) {
	name := resLabel(x)
	if lr.LandingPage {
		f := ri.format
		if f == "" {
			f = ri.urlFmt
		}
		what := vigie.Text{FR: "des données", EN: "data"}
		if f != "" {
			what = vigie.Text{FR: "des données " + f, EN: f + " data"}
		}
		r.add(vigie.Finding{Rule: "LINK-LANDING-PAGE", Dimension: vigie.DimAvailability, Severity: vigie.SevWarning, ResourceID: x.ID,
			Message: vigie.Text{
				FR: "La ressource « " + name + " » annonce " + what.FR + ", mais son lien mène à une page web (page d'accueil), pas au fichier.",
				EN: "Resource \"" + name + "\" declares " + what.EN + ", but its link leads to a web page (a landing page), not to the file."},
			Hint: tx("Pointez la ressource directement vers le fichier de données ; gardez la page web comme ressource distincte de type page web.",
				"Point the resource straight at the data file; keep the web page as a separate resource of type web page.")})
	}
	if lr.Redirects > manyRedirects {
		to := ""
		if lr.FinalURL != "" && lr.FinalURL != x.URL {
			to = lr.FinalURL
			if len(to) > 200 {
				to = to[:200] + "…"
			}
		}
		msg := tx("Le lien de la ressource « %s » n'aboutit qu'après %d redirections.", "The link of resource %q only arrives after %d redirects.", name, lr.Redirects)
		if to != "" {
			msg = tx("Le lien de la ressource « %s » n'aboutit qu'après %d redirections, à %s.", "The link of resource %q only arrives after %d redirects, at %s.", name, lr.Redirects, to)
		}
		r.add(vigie.Finding{Rule: "LINK-REDIRECTS", Dimension: vigie.DimAvailability, Severity: vigie.SevInfo, ResourceID: x.ID,
			Message: msg,
			Hint:    tx("Remplacez le lien par l'adresse finale : chaque redirection est un point de rupture de plus.", "Replace the link with the final address: each redirect is one more place it can break.")})
	}
}

// manyRedirects is the number of redirects above which a link is noted, as
// the link checker flags it (linkcheck.ManyRedirects; quality imports no
// adapter).
const manyRedirects = 2
