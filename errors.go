package vigie

import (
	"errors"
	"fmt"
)

// ErrorKind says what kind of failure an error is, so that a command maps it
// to an exit code and a hint in one place instead of reading its text.
type ErrorKind int

// Error kinds.
const (
	KindOther      ErrorKind = iota // no particular kind: a plain failure
	KindUsage                       // a bad flag or argument value
	KindNotFound                    // the thing asked for is not in the store
	KindUnknownOrg                  // an organization the portal or store does not know
	KindNotScored                   // nothing scored yet where scores are needed
	KindInUse                       // another process holds the database
)

// Error is an error with a kind. Its text is its wrapped error's.
type Error struct {
	Kind ErrorKind
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// ErrorKind returns the kind (see KindOf).
func (e *Error) ErrorKind() ErrorKind { return e.Kind }

// Errorf returns an error of kind with a formatted message (%w wraps).
func Errorf(kind ErrorKind, format string, a ...any) error {
	return &Error{Kind: kind, Err: fmt.Errorf(format, a...)}
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
