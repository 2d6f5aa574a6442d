package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-audit/vigie/internal/smtptest"
)

// Two audits of one portal, with links broken in between; then notify as
// dry run, with --only-changes, and for real against a loopback SMTP server
// that requires STARTTLS and a password.
func TestNotifyDryRunOnlyChangesAndSend(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	_, srv, links, pkgs := auditPortal(t, 24)
	mail, err := smtptest.Start(smtptest.Options{User: "vigie", Pass: "s3cret-pass"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(mail.Close)
	ca := filepath.Join(dir, "ca.pem")
	pw := filepath.Join(dir, "smtp.password")
	os.WriteFile(ca, mail.CertPEM, 0o644)
	os.WriteFile(pw, []byte("s3cret-pass\n"), 0o600)
	cfg := writeConfig(t, fmt.Sprintf(`db: %s
out: %s
defaults:
  rate: 0
  lang: en
  links: {allow_private: true, failures: 1, broken_after: 0s, older_than: 0s}
portals:
  - name: alpha
    url: %s
smtp:
  host: 127.0.0.1
  port: %d
  from: opendata@example.org
  username: vigie
  password_file: %s
  ca_file: %s
`, filepath.Join(dir, "v.db"), filepath.Join(dir, "audits"), srv.URL, mail.Port, pw, ca))
	t.Setenv("VIGIE_DB", "")
	t.Setenv("VIGIE_PORTAL", "")
	t.Setenv("VIGIE_LANG", "")
	audit := func() {
		t.Helper()
		if code, out, errb := cli(ctx, "--config", cfg, "--quiet", "audit"); code != 0 {
			t.Fatalf("audit: exit %d\n%s\n%s", code, out, errb)
		}
	}
	audit()
	pub := filepath.Join(dir, "pub")
	code, out, errb := cli(ctx, "--config", cfg, "--quiet", "notify", "--dir", pub, "--only-changes")
	if code != 0 || !strings.Contains(out, "there are 1: nothing got worse") {
		t.Fatalf("one audit: exit %d\n%s\n%s", code, out, errb)
	}
	// Every link of one dataset breaks: its organization gets worse.
	victim := withResources(pkgs)[0]
	for _, r := range victim["resources"].([]any) {
		u, _ := url.Parse(r.(map[string]any)["url"].(string))
		links.set(u.Path, true)
	}
	victimOrg := victim["organization"].(map[string]any)["name"].(string)
	audit()

	code, out, errb = cli(ctx, "--config", cfg, "--quiet", "notify", "--dir", pub)
	if code != 0 || strings.Count(out, "would send to ") != 4 || !strings.Contains(out, "dry run: 4 messages would be sent") ||
		!strings.Contains(out, ".html (") || !strings.Contains(out, ".xlsx (") {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, out, errb)
	}
	if len(mail.Messages()) != 0 {
		t.Fatal("a dry run sent mail")
	}
	code, out, errb = cli(ctx, "--config", cfg, "--quiet", "notify", "--dir", pub, "--only-changes")
	if code != 0 || strings.Count(out, "would send to ") != 1 || !strings.Contains(out, "; worse: overall ") ||
		!strings.Contains(out, "1 message would be sent to publishers whose results got worse") {
		t.Fatalf("only changes: exit %d\n%s\n%s", code, out, errb)
	}
	if _, err := os.Stat(filepath.Join(pub, victimOrg+".html")); err != nil {
		t.Fatal(err)
	}

	code, out, errb = cli(ctx, "--config", cfg, "--quiet", "notify", "--dir", pub, "--only-changes", "--send")
	if code != 0 || !strings.Contains(out, "1 message sent, 0 failed") || strings.Contains(out+errb, "s3cret") {
		t.Fatalf("send: exit %d\n%s\n%s", code, out, errb)
	}
	got := mail.Messages()
	if len(got) != 1 || !got[0].TLS || got[0].AuthUser != "vigie" || got[0].From != "opendata@example.org" || len(got[0].To) == 0 {
		t.Fatalf("received %+v", got)
	}
	if !strings.Contains(got[0].Data, "Your open data quality report") && !strings.Contains(got[0].Data, "=?utf-8?") {
		t.Fatalf("subject:\n%.600s", got[0].Data)
	}
	// --to sends every message to one address.
	code, out, _ = cli(ctx, "--config", cfg, "--quiet", "notify", "--dir", pub, "--send", "--to", "me@example.org")
	if code != 0 || len(mail.Messages()) != 5 {
		t.Fatalf("--to: exit %d, %d messages\n%s", code, len(mail.Messages()), out)
	}
	for _, m := range mail.Messages()[1:] {
		if strings.Join(m.To, ",") != "me@example.org" {
			t.Fatalf("--to ignored: %v", m.To)
		}
	}
	// A wrong password: one line per failed message, exit 1, no password shown.
	os.WriteFile(pw, []byte("wrong-pass"), 0o600)
	code, out, errb = cli(ctx, "--config", cfg, "--quiet", "notify", "--dir", pub, "--send", "--org", victimOrg)
	if code != 1 || !strings.Contains(out, "authentication refused") || strings.Contains(out+errb, "wrong-pass") {
		t.Fatalf("bad password: exit %d\n%s\n%s", code, out, errb)
	}
}

func TestNotifySendNeedsSMTP(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	cfg := writeConfig(t, "portals:\n  - name: a\n    url: http://127.0.0.1:9\n")
	code, _, errb := cli(context.Background(), "--config", cfg, "notify", "--send")
	if code != ExitUsage || !strings.Contains(errb, "smtp section") {
		t.Fatalf("exit %d %s", code, errb)
	}
	cfg = writeConfig(t, "portals:\n  - name: a\n    url: http://127.0.0.1:9\nsmtp:\n  host: smtp.example.org\n  from: a@example.org\n  starttls: false\n")
	code, _, errb = cli(context.Background(), "--config", cfg, "notify", "--send")
	if code != ExitUsage || !strings.Contains(errb, "clear text") {
		t.Fatalf("exit %d %s", code, errb)
	}
}
