package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// chromium finds Debian's chromium. Outside CI a machine without it skips
// the browser tests; in CI (.ci/run installs it) its absence is a failure.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed; .ci/run installs Debian's chromium package")
	}
	t.Skip("chromium is not installed (apt-get install chromium); skipping browser tests")
	return ""
}

// newBrowser starts headless Chromium with a fresh profile and returns a
// tab's context. The flags keep it off the network: this machine has none,
// and without them Chromium keeps retrying refused connections.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		// Without this a full-page screenshot loses the scrollbar's width at the right edge.
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter"),
		// Headless tabs count as hidden; keep their timers (the progress poll) on time.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("password-store", "basic"),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// run runs browser actions under a deadline, so that a page that never
// shows what is awaited fails the test instead of hanging it. On failure it
// reports where the browser was and what the page said.
func run(t *testing.T, tab context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	get(t, tab, what, chromedp.Steps(steps...))
}

// get runs one action that returns a value, under the same deadline.
func get[T any](t *testing.T, tab context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, 15*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		dctx, dcancel := context.WithTimeout(tab, 3*time.Second)
		defer dcancel()
		url, _ := chromedp.Run(dctx, chromedp.Location())
		body, _ := chromedp.Run(dctx, chromedp.Text(chromedp.CSS("body")))
		t.Fatalf("%s: %v\nat %s:\n%s", what, err, url, body)
	}
	return v
}

// shots writes full-page screenshots to a folder the test names: the
// SLUICE_SCREENSHOTS environment variable, or sluice-screenshots under the
// system's temp folder. Each run overwrites the last one's files.
type shots struct {
	dir string
}

func newShots(t *testing.T) *shots {
	dir := os.Getenv("SLUICE_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "sluice-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return &shots{dir: dir}
}

// take checks the page's structure for accessibility, then saves the whole
// page as name.png at the tab's current width.
func (s *shots) take(t *testing.T, tab context.Context, name string) {
	t.Helper()
	if problems := get(t, tab, "accessibility check", chromedp.Evaluate[[]string](a11yCheck)); len(problems) > 0 {
		t.Errorf("%s: accessibility problems:\n%s", name, strings.Join(problems, "\n"))
	}
	png := get(t, tab, "screenshot "+name, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(s.dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// phone takes the screenshot at a phone's size, then goes back to the laptop's.
func (s *shots) phone(t *testing.T, tab context.Context, name string) {
	t.Helper()
	run(t, tab, "phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	s.take(t, tab, name)
	run(t, tab, "laptop viewport", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, emulation.ClearDeviceMetricsOverride, cdp.Empty{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, emulation.SetTouchEmulationEnabled, emulation.SetTouchEmulationEnabledParams{Enabled: false})
		return err
	}))
}

// download clicks sel and returns the bytes of the file the browser saves.
func download[S chromedp.Selectable](t *testing.T, tab context.Context, sel S) []byte {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(tab, 15*time.Second)
	defer cancel()
	_, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: new(true)})
	if err != nil {
		t.Fatalf("allow downloads: %v", err)
	}
	progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress) // subscribed before the click
	run(t, tab, "click download", chromedp.Click(sel))
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("download did not finish: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			b, err := os.ReadFile(filepath.Join(dir, ev.GUID))
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	t.Fatal("download events ended")
	return nil
}

// hasText is an XPath for a tag whose visible text contains text.
func hasText(tag, text string) string {
	return "//" + tag + "[contains(normalize-space(.), " + quoteXPath(text) + ")]"
}

func quoteXPath(s string) string {
	if !strings.Contains(s, "'") {
		return "'" + s + "'"
	}
	return `"` + s + `"`
}

// a11yCheck lists what a screen reader or keyboard user would stumble on:
// form fields without a label, unnamed buttons and links, broken
// aria-describedby references, duplicate ids, a missing language, and a page
// without exactly one h1.
const a11yCheck = `(function () {
  var out = [];
  if (!document.documentElement.lang) out.push("html has no lang");
  var h1 = document.querySelectorAll("h1").length;
  if (h1 !== 1) out.push(h1 + " h1 elements");
  document.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (el) {
    if (el.labels.length === 0 && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby")) out.push("no label: " + el.outerHTML);
  });
  document.querySelectorAll("a, button").forEach(function (el) {
    if (!el.textContent.trim() && !el.getAttribute("aria-label")) out.push("no name: " + el.outerHTML);
  });
  document.querySelectorAll("[aria-describedby]").forEach(function (el) {
    el.getAttribute("aria-describedby").split(/\s+/).forEach(function (id) {
      if (!document.getElementById(id)) out.push("aria-describedby " + id + " missing");
    });
  });
  var seen = {};
  document.querySelectorAll("[id]").forEach(function (el) {
    if (seen[el.id]) out.push("duplicate id " + el.id);
    seen[el.id] = true;
  });
  return out;
})()`
