package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"sluice/internal/config"
	"sluice/internal/httpapi"
	"sluice/internal/keys"
	"sluice/internal/store"
)

func key(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 {
		return usagef("say what to do: key add | key list | key rm")
	}
	switch args[0] {
	case "add":
		return keyAdd(ctx, env, args[1:])
	case "list":
		return keyList(ctx, env, args[1:])
	case "rm":
		return keyRm(ctx, env, args[1:])
	}
	return usagef("unknown key command %q: use add, list or rm", args[0])
}

// keyFlags binds the store flags and --account.
func keyFlags(cfg *config.Config, acct *string) func(fs *flag.FlagSet) {
	return func(fs *flag.FlagSet) {
		cfg.StoreFlags(fs)
		fs.StringVar(acct, "account", "", "the account id (e.g. ACME-4W5Z)")
	}
}

func keyService(st store.Store, cfg config.Config) *keys.Service {
	return &keys.Service{Store: st, Max: cfg.MaxKeysPerAccount, Now: time.Now}
}

func keyAdd(ctx context.Context, env Env, args []string) error {
	cfg := config.Default()
	var acct, name string
	bind := func(fs *flag.FlagSet) {
		keyFlags(&cfg, &acct)(fs)
		fs.StringVar(&name, "name", "", "a name for the key (default: the key's comment)")
		fs.IntVar(&cfg.MaxKeysPerAccount, "max-keys", cfg.MaxKeysPerAccount, "import keys per account")
	}
	fs, asJSON, err := flags(env, "key add", &cfg, bind, args)
	if err != nil {
		return err
	}
	if acct == "" || fs.NArg() != 1 {
		return usagef("usage: sluice key add --account ID --name NAME PUBKEY_FILE (use - for standard input)")
	}
	text, err := readArg(env, fs.Arg(0))
	if err != nil {
		return err
	}
	return withStore(ctx, cfg, func(st store.Store) error {
		k, err := keyService(st, cfg).Add(ctx, acct, name, text)
		if err != nil {
			return err
		}
		if asJSON {
			return printJSON(env.Stdout, httpapi.KeyOf(k))
		}
		fmt.Fprintf(env.Stdout, "key %d added to %s: %s %s\n", k.ID, acct, k.Name, k.Fingerprint)
		return nil
	})
}

func readArg(env Env, path string) (string, error) {
	var b []byte
	var err error
	if path == "-" {
		b, err = io.ReadAll(env.Stdin)
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return "", fmt.Errorf("read public key: %w", err)
	}
	return string(b), nil
}

func keyList(ctx context.Context, env Env, args []string) error {
	cfg := config.Default()
	var acct string
	_, asJSON, err := flags(env, "key list", &cfg, keyFlags(&cfg, &acct), args)
	if err != nil {
		return err
	}
	if acct == "" {
		return usagef("usage: sluice key list --account ID")
	}
	return withStore(ctx, cfg, func(st store.Store) error {
		if _, err := st.Account(ctx, acct); err != nil {
			return err
		}
		ks, err := st.ListKeys(ctx, acct)
		if err != nil {
			return err
		}
		if asJSON {
			out := make([]httpapi.KeyJSON, len(ks))
			for i, k := range ks {
				out[i] = httpapi.KeyOf(k)
			}
			return printJSON(env.Stdout, map[string]any{"keys": out})
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tFINGERPRINT\tADDED\tLAST USED")
		for _, k := range ks {
			used := "never"
			if k.LastUsedAt != nil {
				used = k.LastUsedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", k.ID, k.Name, k.Fingerprint, k.CreatedAt.Format(time.RFC3339), used)
		}
		return tw.Flush()
	})
}

func keyRm(ctx context.Context, env Env, args []string) error {
	cfg := config.Default()
	var acct string
	fs, asJSON, err := flags(env, "key rm", &cfg, keyFlags(&cfg, &acct), args)
	if err != nil {
		return err
	}
	if acct == "" || fs.NArg() != 1 {
		return usagef("usage: sluice key rm --account ID KEY_ID")
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil {
		return usagef("KEY_ID %q must be the number 'sluice key list' shows", fs.Arg(0))
	}
	return withStore(ctx, cfg, func(st store.Store) error {
		// The server's session sweep ends the key's open sessions within a second.
		if err := keyService(st, cfg).Delete(ctx, acct, id); err != nil {
			return err
		}
		if asJSON {
			return printJSON(env.Stdout, map[string]any{"id": id, "deleted": true})
		}
		fmt.Fprintf(env.Stdout, "key %d deleted from %s\n", id, acct)
		return nil
	})
}
