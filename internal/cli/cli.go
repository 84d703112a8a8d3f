// Package cli is the sluice command line: serve, account, key, validate, segment.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"sluice/internal/config"
	"sluice/internal/errs"
)

// Env gives the CLI its surroundings, so tests can run it in-process.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) (string, bool)
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env Env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the SFTP server, the import pipeline, notifications and the dashboard", serve},
		{"account", "account create NAME | account list | account token ID", account},
		{"key", "key add --account ID --name NAME PUBKEY_FILE | key list --account ID | key rm --account ID KEY_ID", key},
		{"pgp-key", pgpKeyUsage, pgpKey},
		{"validate", "validate --manifest M [--pgp-key KEY_FILE [--passphrase-file F]] DATA_FILE: check a file offline, as the server would", validate},
		{"segment", "segment query | segment export --account ID --filter F.json: count, list and export matching profiles", segmentCmd},
	}
}

// Run runs the command line args (without the program name) and returns the exit code.
func Run(ctx context.Context, env Env, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(env.Stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, env, args[1:])
			var ec exitCode
			switch {
			case err == nil, errors.Is(err, flag.ErrHelp):
				return 0
			case errors.As(err, &ec):
				return int(ec)
			}
			fmt.Fprintf(env.Stderr, "sluice %s: %s\n", c.name, message(err))
			if errs.CodeOf(err) == errs.Invalid || isUsage(err) {
				return 2
			}
			return 1
		}
	}
	fmt.Fprintf(env.Stderr, "sluice: unknown command %q\n\n", args[0])
	usage(env.Stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "sluice: a self-hosted SFTP import service\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nEvery command takes --data-dir and --database-url (or SLUICE_DATA_DIR, SLUICE_DATABASE_URL);\nrun 'sluice COMMAND -h' for its flags.")
}

// exitCode ends a command with a code after it printed its result.
type exitCode int

func (e exitCode) Error() string { return "exit " + fmt.Sprint(int(e)) }

type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{msg: fmt.Sprintf(format, args...)} }

func isUsage(err error) bool {
	var u *usageError
	return errors.As(err, &u)
}

// message shows an *errs.Error's text and anything else in full.
func message(err error) string {
	var e *errs.Error
	if errors.As(err, &e) && e.Code != errs.Internal {
		return e.Message
	}
	return err.Error()
}

// flags builds a flag set with the store flags and --json, parses args and
// applies SLUICE_* environment variables.
func flags(env Env, name string, cfg *config.Config, bind func(fs *flag.FlagSet), args []string) (*flag.FlagSet, bool, error) {
	fs := flag.NewFlagSet("sluice "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	jsonOut := fs.Bool("json", false, "print the result as JSON")
	if bind != nil {
		bind(fs)
	}
	if err := parseInterleaved(fs, args); err != nil {
		return nil, false, err
	}
	if err := config.ApplyEnv(fs, env.Getenv); err != nil {
		return nil, false, usagef("%v", err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, false, usagef("%v", err)
	}
	return fs, *jsonOut, nil
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// parseInterleaved lets flags follow positional arguments ("key add K.pub
// --account X"), as users type them; "--" ends the flags.
func parseInterleaved(fs *flag.FlagSet, args []string) error {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	return fs.Parse(append([]string{"--"}, pos...))
}
