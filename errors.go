package vigie

import (
	"errors"
	"fmt"
)

// ErrorKind says what kind of failure an error is, so that a command maps it
// to an exit code and a hint in one place instead of reading its text.
type ErrorKind int

// Error kinds. The libraries say what went wrong and carry what a hint needs
// (Error's Path, Portal, Org, Run, Near); the command line alone says what
// to do about a kind (which command to run, which flag to pass).
const (
	KindOther              ErrorKind = iota // no particular kind: a plain failure
	KindUsage                               // a bad flag or argument value
	KindNotFound                            // the thing asked for is not in the store
	KindUnknownOrg                          // an organization the portal or store does not know
	KindNotScored                           // nothing scored yet where scores are needed
	KindInUse                               // another process holds the database
	KindNoDatabase                          // the database file does not exist or is empty
	KindNotHarvested                        // the portal asked for was never harvested into the database
	KindBadDatabase                         // the file is not a vigie database (or too damaged to tell)
	KindNewerDatabase                       // a newer vigie wrote the database
	KindReadOnly                            // the database or its folder cannot be written
	KindDiskFull                            // the disk is full or failing
	KindUnreachable                         // the portal does not answer (network, DNS, timeout)
	KindNotCKAN                             // the portal address is not a CKAN site root
	KindBadPortal                           // the portal address is not an http(s) URL
	KindNothingToCompare                    // a comparison needs a second score run
	KindNoFolder                            // the database's folder does not exist
	KindTooManyMissing                      // a full listing lacks more datasets than the guard allows
	KindTooLarge                            // a portal's answer is larger than the limit
	KindOlderDatabase                       // an older vigie wrote the database: its schema needs bringing up to date
	KindUnknownSetting                      // the configuration file names a setting vigie does not know
	KindDamagedData                         // a stored record cannot be read: the database needs checking
	KindServerDown                          // the database server does not answer
	KindNoServerDatabase                    // the database does not exist on the server
	KindLoginRefused                        // the database server refused the user or its password
	KindDenied                              // the database server denies a right vigie needs
	KindServerFull                          // the database server's disk is full
	KindTooManyConnections                  // the database server has no connection left
	KindConflict                            // a concurrent write collided: running again is enough
	KindNoSchema                            // no schema to create the tables in
	KindBadDatabaseURL                      // the database address is not a valid PostgreSQL URL
	KindReplica                             // the database server is a read-only replica
	KindForeignDatabase                     // the database holds another application's tables
	KindCorrupted                           // vigie's database is damaged (truncated, pages unreadable)
	KindPortalRefused                       // the portal refused access (HTTP 401/403): the API token, or a portal that is not public
	kindCount                               // keep last: Kinds lists every kind before it
)

// Kinds lists every error kind (for tests that walk them all).
func Kinds() []ErrorKind {
	out := make([]ErrorKind, 0, kindCount)
	for k := KindOther; k < kindCount; k++ {
		out = append(out, k)
	}
	return out
}

var kindNames = [...]string{"other", "usage", "not_found", "unknown_org", "not_scored", "in_use", "no_database",
	"not_harvested", "bad_database", "newer_database", "read_only", "disk_full", "unreachable", "not_ckan",
	"bad_portal", "nothing_to_compare", "no_folder", "too_many_missing", "too_large", "older_database",
	"unknown_setting", "damaged_data", "server_down", "no_server_database", "login_refused", "denied", "server_full",
	"too_many_connections", "conflict", "no_schema", "bad_database_url", "replica", "foreign_database", "corrupted",
	"portal_refused"}

// String is the kind's stable name, in English for machines ("not_scored").
func (k ErrorKind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Error is an error with a kind.
//
// An Error built with an ID is a sentence of the message catalogue
// (internal/l10n) with its arguments: Error() gives its English text, and
// the command line renders it in the reader's language. Arguments that are
// errors are rendered the same way; any other argument (a server's answer,
// a path) is kept as it is. Without an ID, its text is Err's.
type Error struct {
	Kind ErrorKind
	ID   string // catalogue id of the sentence, "" for Err's text
	Args []any  // the sentence's values, numbers already formatted

	// What the kind's hint needs, when known.
	Path   string   // the database or file
	Portal string   // the portal's URL
	Org    string   // the organization asked for
	Run    int64    // the run concerned
	Near   []string // names near the one asked for, or the ones that exist

	Err error // the cause (wrapped), or the whole message when ID is ""
}

// MessageText renders a catalogue sentence in a language ("fr" or "en"). The
// message catalogue sets it (internal/l10n), so that this package, which
// the catalogue imports, can give an Error's English text.
var MessageText func(lang, id string, args ...any) string

func (e *Error) Error() string {
	if e.ID == "" {
		if e.Err == nil {
			return e.Kind.String()
		}
		return e.Err.Error()
	}
	if MessageText == nil {
		return fmt.Sprint(append([]any{e.ID, " "}, e.Args...)...)
	}
	args := make([]any, len(e.Args))
	for i, a := range e.Args {
		if err, ok := a.(error); ok {
			a = err.Error()
		}
		args[i] = a
	}
	return MessageText("en", e.ID, args...)
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorKind returns the kind (see KindOf).
func (e *Error) ErrorKind() ErrorKind { return e.Kind }

// Errorf returns an error of kind with a formatted message (%w wraps).
func Errorf(kind ErrorKind, format string, a ...any) error {
	return &Error{Kind: kind, Err: fmt.Errorf(format, a...)}
}

// NewError returns an error of kind whose text is the catalogue sentence id
// with args. The first error among args is also its cause (Unwrap).
func NewError(kind ErrorKind, id string, args ...any) *Error {
	e := &Error{Kind: kind, ID: id, Args: args}
	for _, a := range args {
		if err, ok := a.(error); ok {
			e.Err = err
			break
		}
	}
	return e
}

// KindOf returns the kind of the first error in err's chain that has one
// (an *Error or any error with an ErrorKind method), KindOther otherwise.
func KindOf(err error) ErrorKind {
	var k interface{ ErrorKind() ErrorKind }
	if errors.As(err, &k) {
		return k.ErrorKind()
	}
	return KindOther
}

// Details gathers the hint's values (Path, Portal, Org, Run, Near) of the
// *Errors in err's chain, the outermost first for each, under err's kind.
// It returns nil when the chain holds no *Error.
func Details(err error) *Error {
	var d *Error
	for e := err; e != nil; {
		if ve, ok := e.(*Error); ok {
			if d == nil {
				d = &Error{Kind: KindOf(err)}
			}
			if d.Path == "" {
				d.Path = ve.Path
			}
			if d.Portal == "" {
				d.Portal = ve.Portal
			}
			if d.Org == "" {
				d.Org = ve.Org
			}
			if d.Run == 0 {
				d.Run = ve.Run
			}
			if d.Near == nil {
				d.Near = ve.Near
			}
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			break
		}
		e = u.Unwrap()
	}
	return d
}
