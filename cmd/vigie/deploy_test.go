package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every vigie command line in deploy/ (systemd ExecStart, cron) names a real
// command with flags it accepts.
func TestDeployCommandLinesParse(t *testing.T) {
	files, _ := filepath.Glob("../../deploy/*")
	var lines []string
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			l := strings.TrimSpace(sc.Text())
			if strings.HasPrefix(l, "#") {
				continue
			}
			if i := strings.Index(l, "/usr/local/bin/vigie "); i >= 0 {
				cmd := l[i+len("/usr/local/bin/vigie "):]
				if j := strings.Index(cmd, ">>"); j >= 0 {
					cmd = cmd[:j]
				}
				lines = append(lines, filepath.Base(f)+": "+cmd)
			}
		}
		fh.Close()
	}
	if len(lines) < 4 {
		t.Fatalf("deploy/ has %d vigie command lines, want the audit and prune of systemd and cron: %v", len(lines), lines)
	}
	for _, l := range lines {
		_, cmdline, _ := strings.Cut(l, ": ")
		args := strings.Fields(cmdline)
		root := NewRootCmd(&App{Stdout: os.Stdout, Stderr: os.Stderr})
		c, rest, err := root.Find(args)
		if err != nil || c == root {
			t.Errorf("%s: no such command: %v", l, err)
			continue
		}
		if err := c.ParseFlags(rest); err != nil {
			t.Errorf("%s: %v", l, err)
		}
	}
}
