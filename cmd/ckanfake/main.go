// Command ckanfake serves a local CKAN action API with a generated Données
// Québec-shaped catalogue (or recorded payloads) and local link targets, for
// demos, tests and benchmarks. It prints its base URLs and runs until
// interrupted.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vigie-audit/vigie/internal/ckantest"
)

const usage = `ckanfake serves a local CKAN action API for demos, tests and benchmarks.

Usage:
  ckanfake [flags]

It generates a Données Québec-shaped catalogue (or loads recorded payloads),
serves it under <base>/api/3/action/ (status_show, package_search,
package_show, package_list, organization_list, organization_show,
group_list, license_list) and serves the resources' link targets from a
second server. It prints, on stdout:

  CKAN API: http://127.0.0.1:PORT     (first line: the portal base URL)
  links: http://127.0.0.1:PORT2

and runs until SIGINT or SIGTERM.

Examples:
  ckanfake --datasets 100000 --seed 1
  ckanfake --datasets 5000 --rows-max 100 --link-latency 50ms --broken 5%
  ckanfake --from dump.jsonl --from package_search.json --listen 127.0.0.1:5000
  ckanfake --datasets 2000 --private-share 0.1 --token "$TOKEN"
  ckanfake --datasets 1000 --dump catalogue.jsonl   # write the catalogue and exit
  ckanfake --datasets 500 --fault index-serves=5    # a search index being rebuilt
  ckanfake --fault cycling-pages --fault endless-orgs

Faults (--fault, repeatable):
  cycling-pages     package_search claims 10,000 datasets and cycles among 6
  endless-orgs      organization_list invents new organizations for ever
  index-serves=N    package_search sees only the first N datasets (by id),
                    with a count to match; package_show still sees all;
                    send SIGHUP to restore the whole index
  redirect=URL      package_search answers with a redirect to URL
  echo-auth         every call fails with a 403 whose message ends with the
                    Authorization header, cut by CKAN's 300-character limit

  # then, in another shell:
  vigie harvest --portal http://127.0.0.1:5000

Flags:
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "ckanfake:", err)
		os.Exit(2)
	}
}

// multi collects a repeatable string flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

// share parses "5%" or "0.05".
type share float64

func (s *share) String() string { return strconv.FormatFloat(float64(*s)*100, 'f', -1, 64) + "%" }
func (s *share) Set(v string) error {
	pct := strings.HasSuffix(v, "%")
	f, err := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64)
	if err != nil {
		return fmt.Errorf("want a share such as 5%% or 0.05")
	}
	if pct {
		f /= 100
	}
	if f < 0 || f > 1 {
		return fmt.Errorf("share %s is outside 0–100%%", v)
	}
	*s = share(f)
	return nil
}

type config struct {
	datasets     int
	seed         int64
	orgs         int
	rowsMax      int
	listen       string
	linksListen  string
	basePath     string
	from         multi
	latency      time.Duration
	apiLatency   time.Duration
	broken       share
	privateShare float64
	token        string
	ckanVersion  string
	ignoreStart  bool
	gzip         bool
	store        bool
	dump         string
	faults       multi
	licences     string
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c config
	fs := flag.NewFlagSet("ckanfake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	fs.IntVar(&c.datasets, "datasets", 1000, "number of generated datasets (0 when only --from is given)")
	fs.Int64Var(&c.seed, "seed", 1, "generator seed: the same seed gives the same catalogue")
	fs.IntVar(&c.orgs, "orgs", 139, "number of publishing organizations to spread generated datasets over")
	fs.IntVar(&c.rowsMax, "rows-max", 1000, "package_search rows clamp (ckan.search.rows_max)")
	fs.StringVar(&c.listen, "listen", "127.0.0.1:0", "address of the CKAN API server")
	fs.StringVar(&c.linksListen, "links-listen", "127.0.0.1:0", "address of the link target server")
	fs.StringVar(&c.basePath, "base-path", "", "path the portal is mounted under, e.g. /recherche like Données Québec")
	fs.Var(&c.from, "from", "load packages from a ckanapi JSON-lines dump, a package_search or package_show response, or a JSON list (repeatable)")
	fs.DurationVar(&c.latency, "link-latency", 0, "delay before every link target answer, e.g. 50ms")
	fs.DurationVar(&c.apiLatency, "api-latency", 0, "delay before every API answer")
	fs.Var(&c.broken, "broken", "share of otherwise good link targets answering 404 or 500, e.g. 5%")
	fs.Float64Var(&c.privateShare, "private-share", 0, "share of generated datasets that are private (0–1)")
	fs.StringVar(&c.token, "token", "", "API token that unlocks private datasets (with include_private=true)")
	fs.StringVar(&c.ckanVersion, "ckan-version", "2.11.3", "version reported by status_show")
	fs.BoolVar(&c.ignoreStart, "ignore-start", false, "fault: package_search ignores start (a broken portal)")
	fs.BoolVar(&c.store, "store", false, "keep each generated dataset's JSON in memory (about 5 KB each): pages cost no generation, for benchmarks")
	fs.BoolVar(&c.gzip, "gzip", false, "gzip API answers for clients that accept it")
	fs.StringVar(&c.dump, "dump", "", "write the catalogue as JSON lines to this file and exit")
	fs.StringVar(&c.licences, "licences", "", "serve this saved license_list answer (envelope or bare list) instead of Données Québec's; \"none\" answers 404")
	fs.Var(&c.faults, "fault", "inject a hostile behaviour (repeatable): cycling-pages, endless-orgs, index-serves=N, redirect=URL, echo-auth")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (see --help)", fs.Arg(0))
	}
	datasetsSet := false
	fs.Visit(func(f *flag.Flag) { datasetsSet = datasetsSet || f.Name == "datasets" })
	if len(c.from) > 0 && !datasetsSet {
		c.datasets = 0
	}
	if c.datasets < 0 || c.rowsMax <= 0 || c.orgs <= 0 {
		return fmt.Errorf("--datasets must be ≥ 0, --rows-max and --orgs > 0")
	}
	if c.basePath != "" && !strings.HasPrefix(c.basePath, "/") {
		c.basePath = "/" + c.basePath
	}
	c.basePath = strings.TrimRight(c.basePath, "/")

	linkLn, err := net.Listen("tcp", c.linksListen)
	if err != nil {
		return fmt.Errorf("link server: %w", err)
	}
	defer linkLn.Close()
	linkBase := "http://" + linkLn.Addr().String()

	portal := ckantest.New(ckantest.Options{RowsMax: c.rowsMax, Token: c.token, IgnoreStart: c.ignoreStart,
		CKANVersion: c.ckanVersion, Gzip: c.gzip})
	if c.apiLatency > 0 {
		portal.Inject(ckantest.Latency("", c.apiLatency))
	}
	if err := injectFaults(ctx, portal, c.faults, stderr); err != nil {
		return err
	}
	switch c.licences {
	case "":
	case "none":
		portal.Inject(ckantest.FailTimes("license_list", math.MaxInt, http.StatusNotFound, "application/json",
			`{"success": false, "error": {"__type": "Not Found Error", "message": "Not found"}}`, nil))
	default:
		ls, err := ckantest.LoadLicences(c.licences)
		if err != nil {
			return err
		}
		portal.SetLicences(ls)
	}
	start := time.Now()
	for _, path := range c.from {
		pkgs, err := ckantest.LoadFile(path)
		if err != nil {
			return err
		}
		portal.Put(pkgs...)
	}
	gen := ckantest.GenOptions{LinkBase: linkBase, Orgs: c.orgs, PrivateShare: c.privateShare}
	if c.datasets > 0 {
		portal.PutGenerated(c.datasets, c.seed, gen)
		if c.store {
			portal.StoreJSON()
		}
		debug.FreeOSMemory() // return the generator's garbage before serving
	}
	if c.dump != "" {
		return dump(portal, c.dump, stderr)
	}

	apiLn, err := net.Listen("tcp", c.listen)
	if err != nil {
		return fmt.Errorf("API server: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", portal.Handler())
	links := ckantest.NewLinkServer(ckantest.LinkOptions{Latency: c.latency, BrokenShare: float64(c.broken), Seed: c.seed})
	api := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	lsrv := &http.Server{Handler: links, ReadHeaderTimeout: 10 * time.Second}

	fmt.Fprintf(stdout, "CKAN API: http://%s%s\n", apiLn.Addr(), c.basePath)
	fmt.Fprintf(stdout, "links: %s\n", linkBase)
	if f, ok := stdout.(interface{ Sync() error }); ok {
		f.Sync()
	}
	fmt.Fprintf(stderr, "ckanfake: %d datasets ready in %s (rows max %d); Ctrl-C to stop\n",
		portal.Len(), time.Since(start).Round(time.Millisecond), c.rowsMax)

	var wg sync.WaitGroup
	errc := make(chan error, 2)
	for _, s := range []struct {
		srv *http.Server
		ln  net.Listener
	}{{api, apiLn}, {lsrv, linkLn}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.srv.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}()
	}
	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	api.Shutdown(shut)
	lsrv.Shutdown(shut)
	wg.Wait()
	fmt.Fprintf(stderr, "ckanfake: stopped after %d API requests and %d link requests\n", portal.Requests(""), links.Requests())
	return runErr
}

// dump writes every package as one JSON line, in id order.
func dump(p *ckantest.Portal, path string, stderr io.Writer) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for _, id := range p.IDs() {
		raw, _ := p.RawPackage(id)
		w.Write(raw)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "ckanfake: wrote %d datasets to %s\n", p.Len(), path)
	return nil
}

// injectFaults installs the --fault behaviours.
func injectFaults(ctx context.Context, p *ckantest.Portal, faults []string, stderr io.Writer) error {
	for _, f := range faults {
		name, arg, _ := strings.Cut(f, "=")
		switch name {
		case "cycling-pages":
			p.Inject(ckantest.CyclingPages(10_000, 6, 2))
		case "endless-orgs":
			p.Inject(ckantest.EndlessOrganizations(nil))
		case "index-serves":
			n, err := strconv.Atoi(arg)
			if err != nil || n < 1 {
				return fmt.Errorf("--fault index-serves=N needs a number of datasets, not %q", arg)
			}
			p.SetIndexServes(n)
			hup := make(chan os.Signal, 1)
			signal.Notify(hup, syscall.SIGHUP)
			go func() {
				select {
				case <-hup:
					p.SetIndexServes(0)
					fmt.Fprintln(stderr, "ckanfake: the search index serves every dataset again")
				case <-ctx.Done():
				}
			}()
		case "redirect":
			if !strings.HasPrefix(arg, "http://") && !strings.HasPrefix(arg, "https://") {
				return fmt.Errorf("--fault redirect=URL needs an http(s) URL, not %q", arg)
			}
			target := strings.TrimRight(arg, "/")
			p.Inject(func(w http.ResponseWriter, r *http.Request, action string) bool {
				if action != "package_search" {
					return false
				}
				http.Redirect(w, r, target+r.URL.RequestURI(), http.StatusFound)
				return true
			})
		case "echo-auth":
			p.Inject(func(w http.ResponseWriter, r *http.Request, action string) bool {
				msg := "Access denied for key " + r.Header.Get("Authorization")
				msg = strings.Repeat("x", max(0, 300-1-25-len("Access denied for key "))) + msg
				b, _ := json.Marshal(map[string]any{"help": "", "success": false,
					"error": map[string]any{"__type": "Authorization Error", "message": msg}})
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusForbidden)
				w.Write(b)
				return true
			})
		default:
			return fmt.Errorf("--fault %q: use cycling-pages, endless-orgs, index-serves=N, redirect=URL or echo-auth", f)
		}
	}
	return nil
}
