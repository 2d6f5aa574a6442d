package linkcheck

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// connCounter is a raw HTTP server that counts the TCP connections open at
// once, as the server sees them: from accept until the client's close
// reaches it (or it closes). Requests whose path contains "slow" get no
// answer, so that the client abandons them at its timeout.
type connCounter struct {
	ln         net.Listener
	open, peak atomic.Int32
	requests   atomic.Int32
}

// watch samples the open connections every millisecond until the returned
// func is called, which reports the longest stretch spent above limit if it
// reached grace (0 otherwise).
func (s *connCounter) watch(limit int32, grace time.Duration) func() time.Duration {
	stop := make(chan struct{})
	done := make(chan time.Duration)
	go func() {
		var since time.Time
		var longest time.Duration
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				if longest < grace {
					longest = 0
				}
				done <- longest
				return
			case now := <-tick.C:
				if s.open.Load() <= limit {
					since = time.Time{}
					continue
				}
				if since.IsZero() {
					since = now
				}
				longest = max(longest, now.Sub(since))
			}
		}
	}()
	return func() time.Duration { close(stop); return <-done }
}

func newConnCounter(t *testing.T) *connCounter {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &connCounter{ln: ln}
	var wg sync.WaitGroup
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n := s.open.Add(1)
			for p := s.peak.Load(); n > p && !s.peak.CompareAndSwap(p, n); p = s.peak.Load() {
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer s.open.Add(-1)
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					req, err := http.ReadRequest(br)
					if err != nil {
						return // the client closed the connection
					}
					s.requests.Add(1)
					if strings.Contains(req.URL.Path, "slow") {
						// No answer: wait for the client to give up and close.
						_, _ = br.ReadByte()
						return
					}
					fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: 4\r\n\r\n")
					if req.Method == http.MethodGet {
						fmt.Fprint(c, "a,b\n")
					}
				}
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return s
}

// The per-host limit holds as the server counts it: a request abandoned at
// its timeout keeps its slot until its connection is really closed, so the
// server never sees more connections than --per-host.
func TestPerHostLimitCountsAbandonedConnections(t *testing.T) {
	s := newConnCounter(t)
	// Two answered URLs, then two that time out, twenty times: each time the
	// answered ones' connections go back to the idle pool while the next
	// requests start, and the abandoned ones are closed at the timeout.
	var targets []Target
	for i := range 80 {
		p := "fast"
		if i%4 >= 2 {
			p = "slow"
		}
		targets = append(targets, Target{URL: fmt.Sprintf("http://%s/%s/%d.csv", s.ln.Addr(), p, i)})
	}
	c := testChecker(t, Options{Concurrency: 16, PerHost: 2, Timeout: 100 * time.Millisecond, HostFailures: 1000})
	// The server learns of a client's close only when its goroutine runs:
	// on a busy machine that can lag a new connection by a few
	// milliseconds. A third connection that stays open 30 ms is no such lag.
	over := s.watch(2, 30*time.Millisecond)
	res := c.Run(context.Background(), targets)
	if len(res) != 80 {
		t.Fatalf("%d results", len(res))
	}
	if d := over(); d > 0 {
		t.Errorf("the server saw more than 2 connections at once for %v with --per-host 2 (peak %d)", d, s.peak.Load())
	}
	if s.requests.Load() < 80 {
		t.Errorf("only %d requests", s.requests.Load())
	}
}
