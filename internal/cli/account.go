package cli

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"sluice/internal/accounts"
	"sluice/internal/app"
	"sluice/internal/config"
	"sluice/internal/store"
)

func account(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 {
		return usagef("say what to do: account create NAME | account list | account token ID")
	}
	switch args[0] {
	case "create":
		return accountCreate(ctx, env, args[1:])
	case "list":
		return accountList(ctx, env, args[1:])
	case "token":
		return accountToken(ctx, env, args[1:])
	}
	return usagef("unknown account command %q: use create, list or token", args[0])
}

// withStore opens the store of cfg for one command.
func withStore(ctx context.Context, cfg config.Config, fn func(st store.Store) error) error {
	st, blobs, err := app.OpenStorage(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if c, ok := blobs.(interface{ Close() error }); ok {
		defer c.Close()
	}
	return fn(st)
}

func accountCreate(ctx context.Context, env Env, args []string) error {
	cfg := config.Default()
	fs, asJSON, err := flags(env, "account create", &cfg, cfg.StoreFlags, args)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("give the account's display name: sluice account create NAME")
	}
	return withStore(ctx, cfg, func(st store.Store) error {
		svc := &accounts.Service{Store: st, Now: time.Now}
		a, token, err := svc.Create(ctx, fs.Arg(0))
		if err != nil {
			return err
		}
		if asJSON {
			return printJSON(env.Stdout, map[string]string{"id": a.ID, "name": a.Name, "token": token})
		}
		fmt.Fprintf(env.Stdout, "account %s created (%s)\nAPI token: %s\n(shown once: keep it)\n", a.ID, a.Name, token)
		return nil
	})
}

func accountList(ctx context.Context, env Env, args []string) error {
	cfg := config.Default()
	_, asJSON, err := flags(env, "account list", &cfg, cfg.StoreFlags, args)
	if err != nil {
		return err
	}
	return withStore(ctx, cfg, func(st store.Store) error {
		accts, err := st.ListAccounts(ctx)
		if err != nil {
			return err
		}
		if asJSON {
			out := make([]map[string]any, len(accts))
			for i, a := range accts {
				out[i] = map[string]any{"id": a.ID, "name": a.Name, "createdAt": a.CreatedAt}
			}
			return printJSON(env.Stdout, map[string]any{"accounts": out})
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tCREATED")
		for _, a := range accts {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", a.ID, a.Name, a.CreatedAt.Format(time.RFC3339))
		}
		return tw.Flush()
	})
}

func accountToken(ctx context.Context, env Env, args []string) error {
	cfg := config.Default()
	fs, asJSON, err := flags(env, "account token", &cfg, cfg.StoreFlags, args)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("give the account id: sluice account token ID")
	}
	return withStore(ctx, cfg, func(st store.Store) error {
		svc := &accounts.Service{Store: st, Now: time.Now}
		token, err := svc.NewAccountToken(ctx, fs.Arg(0))
		if err != nil {
			return err
		}
		if asJSON {
			return printJSON(env.Stdout, map[string]string{"id": fs.Arg(0), "token": token})
		}
		fmt.Fprintf(env.Stdout, "new API token for %s: %s\n(shown once: keep it)\n", fs.Arg(0), token)
		return nil
	})
}
