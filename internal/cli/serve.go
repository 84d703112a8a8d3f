package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"sluice/internal/app"
	"sluice/internal/config"
	"sluice/internal/httpapi"
)

// FirstAccountName is the display name of the account made on an empty data dir.
const FirstAccountName = "sluice"

func serve(ctx context.Context, env Env, args []string) error {
	cfg := config.Default()
	_, _, err := flags(env, "serve", &cfg, cfg.ServeFlags, args)
	if err != nil {
		return err
	}
	log := newLogger(env.Stderr, cfg.LogLevel)
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Start(ctx); err != nil {
		return err
	}
	if err := firstAccount(ctx, a, env.Stdout); err != nil {
		return err
	}
	info := a.ServerInfo()
	log.Info("sluice is running", slog.String("sftp", a.SFTP.Addr().String()), slog.String("http", a.HTTPAddr().String()),
		slog.String("dashboard", a.PublicURL()), slog.String("data_dir", cfg.DataDir))
	for _, k := range info.HostKeys {
		log.Info("host key", slog.String("type", k.Type), slog.String("fingerprint", k.Fingerprint))
	}
	<-ctx.Done()
	log.Info("shutting down")
	return nil
}

// firstAccount makes an account when there is none, and prints how to use it.
func firstAccount(ctx context.Context, a *app.App, w io.Writer) error {
	accts, err := a.Store.ListAccounts(ctx)
	if err != nil || len(accts) > 0 {
		return err
	}
	acct, token, err := a.Accounts.Create(ctx, FirstAccountName)
	if err != nil {
		return fmt.Errorf("create first account: %w", err)
	}
	fmt.Fprintf(w, `
sluice created a first account on this empty data dir.

  account id  %s   (your SFTP user name)
  API token   %s
              (shown once: keep it; it logs in to the dashboard and the API)
  dashboard   %s

Add an SSH public key, then upload:
  sluice key add --account %s --name laptop ~/.ssh/id_ed25519.pub   (or the dashboard's Saved keys)
  %s

`, acct.ID, token, a.PublicURL(), acct.ID, httpapi.ConnectCommand(a.ServerInfo(), acct.ID))
	return nil
}
