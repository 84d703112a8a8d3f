// Package errs is the one error type sluice's services return to their edges
// (HTTP, CLI, SFTP), so that each edge maps a code to its own form in one place.
package errs

import (
	"errors"
	"fmt"
)

// Code classifies an error for the edges.
type Code string

// The codes the edges know how to present.
const (
	Invalid      Code = "invalid"      // the caller sent something we refuse (HTTP 400)
	NotFound     Code = "not_found"    // no such object, or not the caller's (HTTP 404)
	Conflict     Code = "conflict"     // clashes with existing state (HTTP 409)
	Unauthorized Code = "unauthorized" // missing or wrong credentials (HTTP 401)
	Forbidden    Code = "forbidden"    // known caller, not allowed (HTTP 403)
	TooLarge     Code = "too_large"    // over a size or count limit (HTTP 413)
	Unavailable  Code = "unavailable"  // try again later (HTTP 503)
	Internal     Code = "internal"     // a bug or a store failure (HTTP 500)
)

// Error carries a code and a message meant for the user who caused it.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string { return e.Message }

// E builds an *Error with a formatted message.
func E(code Code, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code of the first *Error in err's chain, Internal if there is none.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// MessageOf returns the user-facing message of err; internal errors get a
// generic message so that store details do not leak to users.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// Is reports whether err carries the given code.
func Is(err error, code Code) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// fieldErr tells which input an error is about, so a form can show the
// message next to that field; its message and code are the wrapped error's.
type fieldErr struct {
	field string
	err   error
}

func (e fieldErr) Error() string { return e.err.Error() }
func (e fieldErr) Unwrap() error { return e.err }

// OnField marks err as being about the input field named field.
func OnField(field string, err error) error { return fieldErr{field: field, err: err} }

// FieldOf is the input field an error is about, or "" when it is about the
// request as a whole.
func FieldOf(err error) string {
	var fe fieldErr
	if errors.As(err, &fe) {
		return fe.field
	}
	return ""
}
