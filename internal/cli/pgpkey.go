package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"sluice/internal/app"
	"sluice/internal/config"
	"sluice/internal/cryptpgp"
	"sluice/internal/httpapi"
	"sluice/internal/store"
)

const pgpKeyUsage = "pgp-key create --account ID --name NAME | pgp-key import --account ID [--name NAME] [--passphrase-file F] KEY_FILE | " +
	"pgp-key list --account ID | pgp-key public --account ID KEY_ID | pgp-key rm --account ID KEY_ID"

func pgpKey(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 {
		return usagef("say what to do: %s", pgpKeyUsage)
	}
	cmds := map[string]func(context.Context, Env, []string) error{
		"create": pgpKeyCreate, "import": pgpKeyImport, "list": pgpKeyList, "public": pgpKeyPublic, "rm": pgpKeyRm,
	}
	if run, ok := cmds[args[0]]; ok {
		return run(ctx, env, args[1:])
	}
	return usagef("unknown pgp-key command %q: use create, import, list, public or rm", args[0])
}

// withPGP parses the flags of a pgp-key command and runs fn with the key
// service on the store and server secret they name.
func withPGP(ctx context.Context, env Env, name string, args []string, extra func(fs *flag.FlagSet),
	fn func(svc *cryptpgp.Service, acct string, fs *flag.FlagSet, asJSON bool) error) error {
	cfg := config.Default()
	var acct string
	bind := func(fs *flag.FlagSet) {
		keyFlags(&cfg, &acct)(fs)
		cfg.PGPFlags(fs)
		if extra != nil {
			extra(fs)
		}
	}
	fs, asJSON, err := flags(env, "pgp-key "+name, &cfg, bind, args)
	if err != nil {
		return err
	}
	if acct == "" {
		return usagef("--account is required: sluice %s", pgpKeyUsage)
	}
	return withStore(ctx, cfg, func(st store.Store) error {
		if _, err := st.Account(ctx, acct); err != nil {
			return err
		}
		svc, err := app.PGPService(cfg, st)
		if err != nil {
			return err
		}
		return fn(svc, acct, fs, asJSON)
	})
}

func printPGPKey(env Env, k store.PGPKey, verb string, asJSON bool) error {
	if asJSON {
		return printJSON(env.Stdout, httpapi.PGPKeyOf(k))
	}
	fmt.Fprintf(env.Stdout, "decryption key %s %s: %s (%s)\nfingerprint %s\nkeyId for manifests: %s\n\n%s",
		k.ID, verb, k.Name, k.Kind, k.Fingerprint, k.ID, k.PublicKey)
	fmt.Fprintf(env.Stdout, "\nCustomers encrypt with:\n  gpg --import sluice.asc\n  gpg --encrypt --recipient %s file.csv\n", k.Fingerprint)
	return nil
}

func pgpKeyCreate(ctx context.Context, env Env, args []string) error {
	var name string
	extra := func(fs *flag.FlagSet) { fs.StringVar(&name, "name", "", "a name for the key") }
	return withPGP(ctx, env, "create", args, extra, func(svc *cryptpgp.Service, acct string, fs *flag.FlagSet, asJSON bool) error {
		if fs.NArg() != 0 {
			return usagef("usage: sluice pgp-key create --account ID --name NAME")
		}
		k, err := svc.Generate(ctx, acct, name)
		if err != nil {
			return err
		}
		return printPGPKey(env, k, "created", asJSON)
	})
}

func pgpKeyImport(ctx context.Context, env Env, args []string) error {
	var name, passFile string
	extra := func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "a name for the key (default: its user id)")
		fs.StringVar(&passFile, "passphrase-file", "", "file holding the private key's passphrase (its first line)")
	}
	return withPGP(ctx, env, "import", args, extra, func(svc *cryptpgp.Service, acct string, fs *flag.FlagSet, asJSON bool) error {
		if fs.NArg() != 1 {
			return usagef("usage: sluice pgp-key import --account ID [--name NAME] [--passphrase-file F] KEY_FILE (- for standard input)")
		}
		armored, err := readArg(env, fs.Arg(0))
		if err != nil {
			return err
		}
		pass, err := readPassphrase(passFile)
		if err != nil {
			return err
		}
		k, err := svc.Import(ctx, acct, name, armored, pass)
		if err != nil {
			return err
		}
		return printPGPKey(env, k, "imported", asJSON)
	})
}

// readPassphrase reads the first line of a passphrase file ("" for none).
func readPassphrase(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read passphrase file: %w", err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimSuffix(line, "\r"), nil
}

func pgpKeyList(ctx context.Context, env Env, args []string) error {
	return withPGP(ctx, env, "list", args, nil, func(svc *cryptpgp.Service, acct string, fs *flag.FlagSet, asJSON bool) error {
		ks, err := svc.List(ctx, acct)
		if err != nil {
			return err
		}
		if asJSON {
			out := make([]httpapi.PGPKeyJSON, len(ks))
			for i, k := range ks {
				out[i] = httpapi.PGPKeyOf(k)
			}
			return printJSON(env.Stdout, map[string]any{"keys": out})
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tKIND\tFINGERPRINT\tADDED")
		for _, k := range ks {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.ID, k.Name, k.Kind, k.Fingerprint, k.CreatedAt.Format(time.RFC3339))
		}
		return tw.Flush()
	})
}

// pgpKeyPublic prints only the armored public key: sluice pgp-key public … > sluice.asc
func pgpKeyPublic(ctx context.Context, env Env, args []string) error {
	return withPGP(ctx, env, "public", args, nil, func(svc *cryptpgp.Service, acct string, fs *flag.FlagSet, asJSON bool) error {
		if fs.NArg() != 1 {
			return usagef("usage: sluice pgp-key public --account ID KEY_ID > sluice.asc")
		}
		k, err := svc.Get(ctx, acct, fs.Arg(0))
		if err != nil {
			return err
		}
		if asJSON {
			return printJSON(env.Stdout, httpapi.PGPKeyOf(k))
		}
		_, err = fmt.Fprint(env.Stdout, k.PublicKey)
		return err
	})
}

func pgpKeyRm(ctx context.Context, env Env, args []string) error {
	return withPGP(ctx, env, "rm", args, nil, func(svc *cryptpgp.Service, acct string, fs *flag.FlagSet, asJSON bool) error {
		if fs.NArg() != 1 {
			return usagef("usage: sluice pgp-key rm --account ID KEY_ID")
		}
		if err := svc.Delete(ctx, acct, fs.Arg(0)); err != nil {
			return err
		}
		if asJSON {
			return printJSON(env.Stdout, map[string]any{"id": strings.ToLower(fs.Arg(0)), "deleted": true})
		}
		fmt.Fprintf(env.Stdout, "decryption key %s deleted from %s\n", fs.Arg(0), acct)
		return nil
	})
}
