package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"sluice/internal/errs"
	"sluice/internal/store"
)

// SignatureHeader carries the body's HMAC-SHA256 with the webhook's secret.
const SignatureHeader = "X-Sluice-Signature"

// Sign returns the X-Sluice-Signature value of a body: "sha256=<hex HMAC-SHA256>".
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify reports whether header is the signature of body with secret, in
// constant time. Receivers written in Go can use it as is.
func Verify(secret string, body []byte, header string) bool {
	return hmac.Equal([]byte(header), []byte(Sign(secret, body)))
}

type webhookSender struct {
	st      Store
	client  *http.Client
	timeout time.Duration
}

func newWebhookSender(st Store, timeout time.Duration) *webhookSender {
	client := &http.Client{
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: min(timeout, 10*time.Second)}).DialContext,
			TLSHandshakeTimeout:   min(timeout, 10*time.Second),
			ResponseHeaderTimeout: timeout,
			MaxIdleConnsPerHost:   2,
			IdleConnTimeout:       90 * time.Second,
		},
		// A redirect is an answer that is not 2xx: the delivery is retried
		// (and logged) rather than followed to an address nobody registered.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &webhookSender{st: st, client: client, timeout: timeout}
}

// send POSTs one delivery: the stored payload plus this attempt's sentAt,
// signed with the webhook's current secret.
func (s *webhookSender) send(ctx context.Context, d store.Delivery) outcome {
	hook, err := s.st.Webhook(ctx, d.AccountID, d.WebhookID)
	if errs.Is(err, errs.NotFound) {
		return outcome{Err: fmt.Errorf("webhook %d was deleted", d.WebhookID), Permanent: true}
	}
	if err != nil {
		return outcome{Err: fmt.Errorf("read webhook: %w", err)}
	}
	body, err := withSentAt(d.Payload, time.Now())
	if err != nil {
		return outcome{Err: err, Permanent: true}
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.Target, bytes.NewReader(body))
	if err != nil {
		return outcome{Err: fmt.Errorf("build request: %w", err), Permanent: true}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "sluice-webhooks/1")
	req.Header.Set(SignatureHeader, Sign(hook.Secret, body))
	req.Header.Set("X-Sluice-Event", string(d.Milestone))
	req.Header.Set("X-Sluice-Delivery", d.IdempotencyID)
	return s.do(req)
}

func (s *webhookSender) do(req *http.Request) outcome {
	resp, err := s.client.Do(req)
	if err != nil {
		return outcome{Err: fmt.Errorf("POST %s: %w", req.URL.Redacted(), err)}
	}
	defer resp.Body.Close()
	// Read a little of the answer: enough to log why it failed, and to let
	// the connection be reused; never the whole of an unbounded body.
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return outcome{Code: resp.StatusCode}
	}
	msg := strings.TrimSpace(string(snippet))
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return outcome{Code: resp.StatusCode, Err: errors.New(strings.TrimSpace(fmt.Sprintf("HTTP %d %s", resp.StatusCode, msg)))}
}

// withSentAt adds this attempt's time to the stored notification.
func withSentAt(payload []byte, now time.Time) ([]byte, error) {
	var ev struct {
		ID     string          `json:"id"`
		Event  string          `json:"event"`
		Import json.RawMessage `json:"import"`
		SentAt time.Time       `json:"sentAt"`
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, fmt.Errorf("stored notification is not JSON: %w", err)
	}
	ev.SentAt = now.UTC()
	return json.Marshal(ev)
}
