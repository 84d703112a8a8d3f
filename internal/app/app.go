// Package app wires sluice together: Open builds every part from one Config,
// Start runs the listeners and loops, Close stops them and waits. Tests boot
// the whole app on 127.0.0.1:0 with a temporary data dir.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"sluice/internal/accounts"
	"sluice/internal/blob"
	"sluice/internal/config"
	"sluice/internal/cryptpgp"
	"sluice/internal/hostkey"
	"sluice/internal/httpapi"
	"sluice/internal/keys"
	"sluice/internal/notify"
	"sluice/internal/pipeline"
	"sluice/internal/sftpd"
	"sluice/internal/store"
	"sluice/internal/web"
	"sluice/internal/webhooks"
)

// App is a running sluice: SFTP, HTTP, the pipeline and the notifier.
type App struct {
	Config   config.Config
	Store    store.Store
	Blobs    blob.Store
	Accounts *accounts.Service
	Keys     *keys.Service
	PGPKeys  *cryptpgp.Service
	Webhooks *webhooks.Service
	SFTP     *sftpd.Server
	Pipeline *pipeline.Pipeline
	Web      *web.Dashboard
	Notifier *notify.Notifier
	Registry *prometheus.Registry
	Log      *slog.Logger

	hostKeys []httpapi.HostKey
	httpLn   net.Listener
	httpSrv  *http.Server
	closers  []func() error
}

// Open builds the app from cfg without listening yet.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	st, blobs, err := OpenStorage(ctx, cfg)
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Store: st, Blobs: blobs, Log: log, Registry: prometheus.NewRegistry()}
	a.closers = append(a.closers, st.Close)
	a.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a.Accounts = &accounts.Service{Store: st, Now: time.Now}
	a.Keys = &keys.Service{Store: st, Max: cfg.MaxKeysPerAccount, Now: time.Now}
	a.Webhooks = &webhooks.Service{Store: st, Now: time.Now}
	if a.PGPKeys, err = PGPService(cfg, st); err != nil {
		a.Close()
		return nil, err
	}
	if err := a.build(ctx); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) build(ctx context.Context) error {
	cfg := a.Config
	// Host keys live in the store, so every node presents the same identity;
	// key files of an older install are imported on first start.
	signers, err := hostkey.FromStore(ctx, a.Store, filepath.Join(cfg.DataDir, "hostkeys"))
	if err != nil {
		return fmt.Errorf("host keys: %w", err)
	}
	for _, f := range hostkey.Fingerprints(signers) {
		a.hostKeys = append(a.hostKeys, httpapi.HostKey{Type: f.Type, Fingerprint: f.SHA256})
	}
	a.Pipeline = pipeline.New(pipeline.Config{
		Workers: cfg.Workers, BatchRows: cfg.BatchRows, ProfileBatchRows: cfg.ProfileBatchRows, ProfileFoldRows: cfg.ProfileFoldRows, IdentityCacheMiB: cfg.IdentityCacheMiB,
		LeaseDuration: cfg.LeaseDuration, WaitTimeout: cfg.WaitTimeout, ProcessingMailEvery: cfg.ProcessingMailEvery,
		Keys: a.PGPKeys, Limits: DecodeLimits(cfg),
		Node: cfg.NodeID, Logger: a.Log, Metrics: a.Registry,
	}, a.Store, a.Blobs)
	a.SFTP, err = sftpd.New(sftpd.Config{
		Addr: cfg.SFTPAddr, HostKeys: signers,
		MaxDataFileSize: int64(cfg.MaxDataFileSize), MaxManifestSize: int64(cfg.MaxManifestSize),
		AccountQuota: int64(cfg.AccountQuota), NodeID: cfg.NodeID, IdleTimeout: cfg.IdleTimeout, KeyCheckEvery: cfg.KeyCheckEvery,
		Bans: sftpd.StoreBans{Store: a.Store, Rule: store.BanRule{
			Threshold: cfg.BanThreshold, Window: cfg.BanWindow, Duration: cfg.BanDuration}},
		Logger: a.Log, Metrics: a.Registry, Now: time.Now,
	}, a.Store, a.Blobs, a.Pipeline)
	if err != nil {
		return fmt.Errorf("sftp server: %w", err)
	}
	a.Keys.Kicker = a.SFTP
	a.Notifier, err = notify.New(cfg, a.Store, notify.Options{Logger: a.Log, Registerer: a.Registry, PublicURL: a.PublicURL})
	if err != nil {
		return fmt.Errorf("notifier: %w", err)
	}
	a.Web, err = web.New(web.Deps{Auth: a.Accounts, Keys: a.Keys, PGPKeys: a.PGPKeys, Webhooks: a.Webhooks, Store: a.Store, Segments: a.Store, Server: a.ServerInfo,
		Logger: a.Log, SecureCookies: strings.HasPrefix(cfg.PublicURL, "https://")})
	if err != nil {
		return fmt.Errorf("dashboard: %w", err)
	}
	return nil
}

// OpenStorage opens the store and the blob store that cfg names; the CLI
// uses it without the rest of the app.
func OpenStorage(ctx context.Context, cfg config.Config) (store.Store, blob.Store, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("create data dir: %w", err)
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	blobs, err := openBlobs(ctx, cfg)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, blobs, nil
}

// Start listens on the SFTP and HTTP addresses and starts the loops.
func (a *App) Start(ctx context.Context) error {
	if err := a.SFTP.Start(ctx); err != nil {
		return fmt.Errorf("start sftp: %w", err)
	}
	a.closers = append(a.closers, a.SFTP.Close)
	a.Pipeline.Start(ctx)
	a.closers = append(a.closers, a.Pipeline.Close)
	if err := a.startHTTP(); err != nil {
		return err
	}
	// After HTTP listens: mails link to the dashboard on its real port.
	a.Notifier.Start(ctx)
	a.closers = append(a.closers, a.Notifier.Close)
	return nil
}

func (a *App) startHTTP() error {
	ln, err := net.Listen("tcp", a.Config.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen http %s: %w", a.Config.HTTPAddr, err)
	}
	a.httpLn = ln
	a.httpSrv = &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := a.httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.Log.Error("http server", slog.Any("err", err))
		}
	}()
	a.closers = append(a.closers, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := a.httpSrv.Shutdown(ctx)
		<-done
		return err
	})
	return nil
}

// Handler is the HTTP handler: API, metrics, health, and the dashboard.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	api := httpapi.New(httpapi.Deps{
		Auth: a.Accounts, Keys: a.Keys, PGPKeys: a.PGPKeys, Store: a.Store, Webhooks: a.Webhooks, Segments: a.Store, Server: a.ServerInfo,
		Metrics: promhttp.HandlerFor(a.Registry, promhttp.HandlerOpts{}), Logger: a.Log, Now: time.Now,
	})
	api.Register(mux)
	a.Web.Register(mux)
	return mux
}

// ServerInfo tells customers where to connect.
func (a *App) ServerInfo() httpapi.ServerInfo {
	host := a.Config.SFTPHost
	if host == "" {
		host, _ = os.Hostname()
	}
	port := 0
	if a.SFTP != nil && a.SFTP.Addr() != nil {
		port = a.SFTP.Addr().(*net.TCPAddr).Port
	} else if _, p, err := net.SplitHostPort(a.Config.SFTPAddr); err == nil {
		port, _ = strconv.Atoi(p)
	}
	return httpapi.ServerInfo{Host: host, Port: port, HostKeys: a.hostKeys}
}

// HTTPAddr is the address HTTP listens on (after Start).
func (a *App) HTTPAddr() net.Addr { return a.httpLn.Addr() }

// PublicURL is the dashboard's base URL, for mails and printed links.
func (a *App) PublicURL() string {
	if a.Config.PublicURL != "" {
		return a.Config.PublicURL
	}
	port := "8080"
	if a.httpLn != nil {
		port = strconv.Itoa(a.httpLn.Addr().(*net.TCPAddr).Port)
	}
	return "http://localhost:" + port + "/"
}

// Close stops everything in reverse order of start and waits.
func (a *App) Close() error {
	var errs []error
	for i := len(a.closers) - 1; i >= 0; i-- {
		errs = append(errs, a.closers[i]())
	}
	a.closers = nil
	return errors.Join(errs...)
}
