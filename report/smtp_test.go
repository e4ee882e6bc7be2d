package report_test

import (
	"bufio"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/report"
)

// fakeSMTP is a minimal SMTP server on 127.0.0.1: it answers EHLO, MAIL,
// RCPT, DATA and QUIT, keeps each message, and refuses the first
// failData DATA commands with 451.
type fakeSMTP struct {
	ln       net.Listener
	mu       sync.Mutex
	failData int
	msgs     []string
	rcpts    [][]string
	wg       sync.WaitGroup
}

func startSMTP(t *testing.T, failData int) *fakeSMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &fakeSMTP{ln: ln, failData: failData}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() { defer s.wg.Done(); s.serve(c) }()
		}
	}()
	t.Cleanup(func() { _ = ln.Close(); s.wg.Wait() })
	return s
}

func (s *fakeSMTP) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	say := func(l string) { _, _ = io.WriteString(c, l+"\r\n") }
	say("220 fake ESMTP")
	var rcpts []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250-fake")
			say("250 8BITMIME")
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			rcpts = nil
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			rcpts = append(rcpts, strings.Trim(strings.TrimSpace(line)[8:], "<> "))
			say("250 ok")
		case cmd == "DATA":
			s.mu.Lock()
			fail := s.failData > 0
			if fail {
				s.failData--
			}
			s.mu.Unlock()
			if fail {
				say("451 4.3.0 try again later")
				continue
			}
			say("354 go ahead")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, b.String())
			s.rcpts = append(s.rcpts, rcpts)
			s.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		case cmd == "RSET", cmd == "NOOP":
			say("250 ok")
		default:
			say("502 unknown")
		}
	}
}

func TestSMTPSender(t *testing.T) {
	srv := startSMTP(t, 0)
	snd := report.SMTPSender{Addr: srv.ln.Addr().String(), From: "reports@callstack.test"}
	err := snd.Send(context.Background(), report.Message{
		To: []string{"a@example.com", "b@example.com"}, Subject: "Campaign report: Früh",
		Text: "plain body", HTML: "<p>html body</p>", Date: time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC),
		Attachments: []report.Attachment{{Name: "contacts.csv", ContentType: "text/csv", Data: []byte("a,b\n1,2\n")}},
	})
	require.NoError(t, err)
	require.Len(t, srv.msgs, 1)
	assert.Equal(t, []string{"a@example.com", "b@example.com"}, srv.rcpts[0])
	m, err := mail.ReadMessage(strings.NewReader(srv.msgs[0]))
	require.NoError(t, err)
	subj, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	require.NoError(t, err)
	assert.Equal(t, "Campaign report: Früh", subj)
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	require.NoError(t, err)
	mr := multipart.NewReader(m.Body, params["boundary"])
	var parts []string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		parts = append(parts, p.Header.Get("Content-Type"))
	}
	require.Len(t, parts, 2)
	assert.Contains(t, parts[0], "multipart/alternative")
	assert.Equal(t, "text/csv", parts[1])

	err = snd.Send(context.Background(), report.Message{To: []string{"x@example.com\r\nBcc: evil@example.com"}})
	assert.ErrorIs(t, err, report.ErrInvalid)
}

// TestScheduledSMTPDelivery runs the scheduler against the fake server:
// the first two DATA commands fail, the third try gets through, and the
// delivery history has all three.
func TestScheduledSMTPDelivery(t *testing.T) {
	ctx := context.Background()
	srv := startSMTP(t, 2)
	start := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	clk := &fakeClock{t: start}
	s := newSmall(t, "America/New_York", start, campaign.Settings{})
	svc, err := report.NewService(report.Config{Store: s.st, Clock: clk.Now, Authorizer: s.svc})
	require.NoError(t, err)
	sc, err := report.NewScheduler(report.SchedulerConfig{Service: svc, Sleep: clk.Sleep, Backoff: 30 * time.Second,
		Sender: report.SMTPSender{Addr: srv.ln.Addr().String(), From: "reports@callstack.test"}})
	require.NoError(t, err)
	require.NoError(t, sc.Add(ctx, s.act, report.Schedule{ID: "mid", WorkspaceID: s.ws, CampaignID: s.c.ID, Trigger: report.TriggerMidnight, Recipients: []string{"client@example.com"}}))
	next, err := sc.Next(ctx, s.ws, "mid")
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 5, 5, 4, 0, 0, 0, time.UTC), next, "midnight EDT")
	clk.Advance(16 * time.Hour)
	require.NoError(t, sc.Tick(ctx))
	require.Len(t, srv.msgs, 1)
	assert.Contains(t, srv.msgs[0], "Subject: Campaign report: C")
	hist, err := svc.Store().ListDeliveries(ctx, s.ws, 0)
	require.NoError(t, err)
	require.Len(t, hist, 3)
	assert.Empty(t, hist[0].Error)
	assert.Contains(t, hist[1].Error, "451")
	assert.Contains(t, hist[2].Error, "451")
	assert.Equal(t, start.Add(16*time.Hour+90*time.Second), hist[0].At, "backoff 30s then 60s on the injected clock")
}
