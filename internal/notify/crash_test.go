package notify_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"sluice/internal/config"
	"sluice/internal/notify"
	"sluice/internal/notify/notifytest"
	"sluice/internal/store"
	"sluice/internal/store/sqlite"
)

// The crash test runs the notifier in a child process (this test binary,
// re-executed) so that it can be killed with SIGKILL: no Close, no deferred
// cleanup, exactly as a crash.
const helperEnv = "SLUICE_NOTIFY_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(runHelper())
	}
	os.Exit(m.Run())
}

// runHelper is the child: a store and a notifier until a signal (or SIGKILL).
func runHelper() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil)).With(slog.Int("pid", os.Getpid()))
	cfg := config.Default()
	cfg.DataDir, cfg.SMTPURL, cfg.PublicURL = os.Getenv("HELPER_DATA_DIR"), os.Getenv("HELPER_SMTP_URL"), "https://sluice.example.com"
	cfg.NotifyPoll, cfg.RetryMin, cfg.RetryMax = 20*time.Millisecond, 30*time.Millisecond, 150*time.Millisecond
	cfg.SMTPTimeout, cfg.WebhookTimeout = time.Second, time.Second
	st, err := sqlite.Open(ctx, filepath.Join(cfg.DataDir, "sluice.db"), sqlite.Options{})
	if err != nil {
		log.Error("open store", "err", err)
		return 1
	}
	defer st.Close()
	n, err := notify.New(cfg, st, notify.Options{Logger: log})
	if err != nil {
		log.Error("new notifier", "err", err)
		return 1
	}
	n.Start(ctx)
	<-ctx.Done()
	n.Close()
	return 0
}

// startHelper runs the notifier process against the data dir.
func startHelper(t *testing.T, dataDir, smtpURL string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=1", "HELPER_DATA_DIR="+dataDir, "HELPER_SMTP_URL="+smtpURL)
	cmd.Stdout, cmd.Stderr = t.Output(), t.Output()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

func kill(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
}

// waitMailDeliveries waits until the import has two deliveries and each satisfies ok.
func waitMailDeliveries(t *testing.T, st *sqlite.DB, importID int64, what string, ok func(store.Delivery) bool) {
	t.Helper()
	notifytest.WaitFor(t, func() bool {
		ds, err := st.ImportDeliveries(t.Context(), acct, importID)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			if !ok(d) {
				return false
			}
		}
		return len(ds) == 2
	}, "import %d's two mail deliveries: %s", importID, what)
}

// TestCrashRestartMailOnce: with the SMTP server down, an import finishes;
// the notifier process is killed and restarted; the SMTP server comes up;
// each mail arrives exactly once.
func TestCrashRestartMailOnce(t *testing.T) {
	dataDir := t.TempDir()
	st := openStore(t, filepath.Join(dataDir, "sluice.db"))
	if err := st.CreateAccount(t.Context(), store.Account{ID: acct, Name: "Acme", CreatedAt: time.Now()}, []byte("h")); err != nil {
		t.Fatal(err)
	}
	addr := notifytest.FreeAddr(t) // nothing listens here yet: the SMTP server is down
	smtpURL := "smtp://" + addr + "?starttls=none"
	first := startHelper(t, dataDir, smtpURL)
	imp := runImport(t, st, "crash", store.StatusSucceeded, nil)
	// The first mail is tried and fails; the second waits behind it (one
	// address's mails go in order).
	waitMailDeliveries(t, st, imp.ID, "the first tried and failed while the server is down", func(d store.Delivery) bool {
		return d.Status == store.DeliveryPending && (d.Milestone != store.MilestonePickedUp || d.Attempts >= 2)
	})
	kill(t, first)
	sink := notifytest.StartSMTP(t, notifytest.Options{Addr: addr})
	second := startHelper(t, dataDir, smtpURL)
	waitMailDeliveries(t, st, imp.ID, "delivered after the restart", func(d store.Delivery) bool {
		return d.Status == store.DeliveryDelivered
	})
	// Kill again and run one more import: once its mails are in, the new
	// process has walked past the delivered ones (one target's deliveries go
	// in order), so any duplicate would have been sent by then.
	kill(t, second)
	startHelper(t, dataDir, smtpURL)
	later := runImport(t, st, "later", store.StatusSucceeded, nil)
	waitMailDeliveries(t, st, later.ID, "delivered", func(d store.Delivery) bool { return d.Status == store.DeliveryDelivered })
	mails := sink.WaitMails(t, 4)
	count := map[string]int{}
	for _, m := range mails {
		p := notifytest.Parse(t, m.Data)
		count[p.Header.Get("X-Sluice-Import")+" "+p.Header.Get("X-Sluice-Event")]++
	}
	for _, id := range []int64{imp.ID, later.ID} {
		for _, ev := range []store.Milestone{store.MilestonePickedUp, store.MilestoneSucceeded} {
			if k := strconv.FormatInt(id, 10) + " " + string(ev); count[k] != 1 {
				t.Errorf("import %d %s mailed %d times, want exactly once (all: %v)", id, ev, count[k], count)
			}
		}
	}
	if len(mails) != 4 {
		t.Fatalf("%d mails in all, want 4: %v", len(mails), fmt.Sprint(count))
	}
}
