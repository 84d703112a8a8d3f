package weedtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"sluice/internal/blob/s3"
)

// startTimeout bounds how long the server may take to answer S3 requests.
const startTimeout = 90 * time.Second

// Server is a running `weed server -s3` with one bucket.
type Server struct {
	dir      string
	cmd      *exec.Cmd
	done     chan struct{} // closed when the process has exited
	endpoint string        // 127.0.0.1:port of the S3 gateway
	bucket   string
	access   string
	secret   string
}

// Start runs weed in a new temp dir and waits until its bucket takes writes.
func Start(ctx context.Context) (*Server, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		dir, err := os.MkdirTemp("", "sluice-weed-")
		if err != nil {
			return nil, fmt.Errorf("weed temp dir: %w", err)
		}
		s := &Server{dir: dir, bucket: "sluice-test", access: "sluice" + randomName(), secret: randomName() + randomName()}
		err = s.start(ctx, bin)
		if err == nil {
			return s, nil
		}
		lostPort := strings.Contains(s.logTail(), "address already in use")
		s.Close()
		if !lostPort || attempt == startAttempts {
			return nil, err
		}
	}
}

// startAttempts: the ports are free when chosen and bound by weed moments
// later, and another process (test binaries run side by side, each with its
// own weed) may take one in between; a start that lost a port is tried
// again on new ones.
const startAttempts = 3

func (s *Server) start(ctx context.Context, bin string) error {
	cfg, err := s.writeIdentity()
	if err != nil {
		return err
	}
	ports, err := freePorts(8)
	if err != nil {
		return err
	}
	s.endpoint = "127.0.0.1:" + strconv.Itoa(ports[6])
	args := []string{"server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-dir=" + filepath.Join(s.dir, "data"),
		"-master.telemetry=false", "-master.volumeSizeLimitMB=256", "-volume.max=32",
		"-master.port=" + strconv.Itoa(ports[0]), "-master.port.grpc=" + strconv.Itoa(ports[1]),
		"-volume.port=" + strconv.Itoa(ports[2]), "-volume.port.grpc=" + strconv.Itoa(ports[3]),
		"-filer", "-filer.port=" + strconv.Itoa(ports[4]), "-filer.port.grpc=" + strconv.Itoa(ports[5]),
		"-filer.localSocket=" + filepath.Join(s.dir, "filer.sock"),
		"-s3", "-s3.port=" + strconv.Itoa(ports[6]), "-s3.port.grpc=" + strconv.Itoa(ports[7]),
		"-s3.port.iceberg=0", "-s3.port.lance=0", "-s3.localSocket=" + filepath.Join(s.dir, "s3.sock"),
		"-s3.config=" + cfg,
	}
	if err := os.MkdirAll(filepath.Join(s.dir, "data"), 0o700); err != nil {
		return fmt.Errorf("weed data dir: %w", err)
	}
	log, err := os.Create(filepath.Join(s.dir, "weed.log"))
	if err != nil {
		return fmt.Errorf("weed log: %w", err)
	}
	defer log.Close()
	s.cmd = exec.Command(bin, args...)
	s.cmd.Dir, s.cmd.Stdout, s.cmd.Stderr = s.dir, log, log
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", bin, err)
	}
	s.done = make(chan struct{})
	go func() { s.cmd.Wait(); close(s.done) }() // ended by the process's exit (Close kills it)
	return s.waitReady(ctx)
}

// writeIdentity writes the S3 identity file: one key pair allowed everything.
func (s *Server) writeIdentity() (string, error) {
	type cred struct {
		AccessKey string `json:"accessKey"`
		SecretKey string `json:"secretKey"`
	}
	type identity struct {
		Name        string   `json:"name"`
		Credentials []cred   `json:"credentials"`
		Actions     []string `json:"actions"`
	}
	doc := map[string][]identity{"identities": {{Name: "sluice", Credentials: []cred{{s.access, s.secret}},
		Actions: []string{"Admin", "Read", "Write", "List", "Tagging"}}}}
	b, err := json.Marshal(doc)
	if err != nil {
		return "", err
	}
	path := filepath.Join(s.dir, "s3.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return "", fmt.Errorf("write s3 identity: %w", err)
	}
	return path, nil
}

// waitReady polls until the bucket exists and takes a write.
func (s *Server) waitReady(ctx context.Context) error {
	c, err := minio.New(s.endpoint, &minio.Options{Creds: credentials.NewStaticV4(s.access, s.secret, ""), Region: "us-east-1"})
	if err != nil {
		return fmt.Errorf("s3 client: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	var last error
	for {
		if last = s.probe(ctx, c); last == nil {
			return nil
		}
		select {
		case <-s.done:
			return fmt.Errorf("weed exited during start-up (log: %s): %s", filepath.Join(s.dir, "weed.log"), s.logTail())
		case <-ctx.Done():
			return fmt.Errorf("weed did not answer S3 within %s: %w (log: %s)", startTimeout, last, s.logTail())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (s *Server) probe(ctx context.Context, c *minio.Client) error {
	ok, err := c.BucketExists(ctx, s.bucket)
	if err == nil && !ok {
		err = c.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: "us-east-1"})
	}
	if err != nil {
		return err
	}
	_, err = c.PutObject(ctx, s.bucket, "probe", bytes.NewReader([]byte("ok")), 2, minio.PutObjectOptions{})
	return err
}

func (s *Server) logTail() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "weed.log"))
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// Options returns store options for the bucket, without a prefix.
func (s *Server) Options() s3.Options {
	return s3.Options{Endpoint: s.endpoint, Bucket: s.bucket, Insecure: true, AccessKey: s.access, SecretKey: s.secret,
		PartSize: 5 << 20}
}

// Close stops the server and removes its files.
func (s *Server) Close() error {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			s.cmd.Process.Kill()
			<-s.done
		}
	}
	return os.RemoveAll(s.dir)
}

// freePorts finds n distinct free loopback ports (free when asked; weed
// binds them moments later).
func freePorts(n int) ([]int, error) {
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	var ports []int
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
