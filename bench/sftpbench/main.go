// Command sftpbench compares upload throughput of sluice's SFTP server with
// OpenSSH's own sshd (internal-sftp), using the OpenSSH sftp client for
// both, and reports sluice's peak memory. Run by hand; see README.md.
//
//	go run ./bench/sftpbench [-size 1GiB] [-runs 5] [-cipher aes128-gcm@openssh.com]
//
// The bench re-executes itself as "sftpbench server …" to run sluice's
// server in a child process whose peak RSS it can read from /proc.
package main

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/crypto/ssh"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "server" {
		if err := serverMain(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "sftpbench server:", err)
			os.Exit(1)
		}
		return
	}
	if err := benchMain(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "sftpbench:", err)
		os.Exit(1)
	}
}

type options struct {
	size       int64
	runs       int
	cipher     string
	dir        string
	keep       bool
	cpuProfile string
	sshd       string
	verbose    bool
	nice       int
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("sftpbench", flag.ContinueOnError)
	size := fs.String("size", "1GiB", "bytes to upload (suffixes KiB, MiB, GiB)")
	fs.IntVar(&o.runs, "runs", 5, "uploads to each server, alternating")
	fs.StringVar(&o.cipher, "cipher", "aes128-gcm@openssh.com", "SSH cipher the client asks for")
	fs.StringVar(&o.dir, "dir", "", "work folder (default: a new temporary folder)")
	fs.BoolVar(&o.keep, "keep", false, "keep the work folder")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the sluice server to this file")
	fs.IntVar(&o.nice, "nice", 0, "run servers and clients at this niceness (e.g. -10 on a shared machine; needs root)")
	fs.BoolVar(&o.verbose, "v", false, "show the sluice server's log of each upload")
	fs.StringVar(&o.sshd, "sshd", "/usr/sbin/sshd", "OpenSSH server binary (apt-get install -y openssh-server)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	n, err := parseSize(*size)
	if err != nil {
		return o, err
	}
	o.size = n
	if o.runs < 1 {
		return o, errors.New("-runs must be at least 1")
	}
	return o, nil
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}} {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = rest, u.mult
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("bad -size %q", s)
	}
	return n * mult, nil
}

// target is a server to upload to.
type target struct {
	name string
	user string
	port int
	dest string // remote path
	cpu  func() (float64, error)
}

func benchMain(args []string) error {
	o, err := parseFlags(args)
	if err != nil {
		return err
	}
	for _, bin := range []string{"sftp", o.sshd} {
		if _, err := exec.LookPath(bin); err != nil {
			return fmt.Errorf("%s not found (apt-get install -y openssh-client openssh-server): %w", bin, err)
		}
	}
	if o.nice != 0 {
		// Children inherit it: both servers and every sftp client alike.
		if err := syscall.Setpriority(syscall.PRIO_PROCESS, 0, o.nice); err != nil {
			return fmt.Errorf("set niceness %d: %w", o.nice, err)
		}
	}
	work, err := workDir(o)
	if err != nil {
		return err
	}
	if !o.keep {
		defer os.RemoveAll(work)
	}
	return run(o, work)
}

func workDir(o options) (string, error) {
	if o.dir != "" {
		return o.dir, os.MkdirAll(o.dir, 0o700)
	}
	return os.MkdirTemp("", "sftpbench-")
}

func run(o options, work string) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	data := filepath.Join(work, "data.csv")
	fmt.Printf("writing %d bytes of test data to %s\n", o.size, data)
	if err := writeData(data, o.size); err != nil {
		return err
	}
	keyFile, pub, err := clientKey(work)
	if err != nil {
		return err
	}
	sl, err := startSluice(ctx, filepath.Join(work, "sluice"), pub, o.cpuProfile, o.verbose)
	if err != nil {
		return err
	}
	defer sl.stop()
	sd, err := startSSHD(ctx, o.sshd, filepath.Join(work, "sshd"), pub)
	if err != nil {
		return err
	}
	defer sd.stop()
	slPid, sdPid := sl.cmd.Process.Pid, sd.cmd.Process.Pid
	targets := []target{
		{name: "sluice", user: benchAccount, port: sl.port, dest: "bench.csv",
			cpu: func() (float64, error) { return cpuSeconds(slPid, false) }},
		// sshd serves each connection in children; their time counts once reaped.
		{name: "openssh", user: currentUser(), port: sd.port, dest: filepath.Join(sd.dir, "upload.csv"),
			cpu: func() (float64, error) { waitReaped(sdPid); return cpuSeconds(sdPid, true) }},
	}
	times, err := alternate(ctx, o, targets, keyFile, data)
	if err != nil {
		return err
	}
	hwm, err := peakRSS(sl.cmd.Process.Pid)
	if err != nil {
		return err
	}
	report(o, targets, times, hwm)
	return nil
}

// results are per-run figures of one target.
type results struct {
	mbps   []float64 // throughput, MB/s (1 MB = 10^6 bytes)
	cpu    []float64 // server CPU seconds
	client []float64 // client CPU seconds (sftp and its ssh)
}

// alternate uploads to each target runs times, switching which goes first.
func alternate(ctx context.Context, o options, targets []target, keyFile, data string) (map[string]*results, error) {
	res := map[string]*results{}
	for _, t := range targets {
		res[t.name] = &results{}
	}
	for i := range o.runs {
		order := slices.Clone(targets)
		if i%2 == 1 {
			slices.Reverse(order)
		}
		for _, t := range order {
			cpu0, err := t.cpu()
			if err != nil {
				return nil, err
			}
			d, client, err := upload(ctx, o, t, keyFile, data)
			if err != nil {
				return nil, fmt.Errorf("run %d to %s: %w", i+1, t.name, err)
			}
			cpu1, err := t.cpu()
			if err != nil {
				return nil, err
			}
			r := res[t.name]
			r.mbps = append(r.mbps, float64(o.size)/1e6/d.Seconds())
			r.cpu = append(r.cpu, cpu1-cpu0)
			r.client = append(r.client, client)
			fmt.Printf("run %d  %-8s %7.1f MB/s  (%.2fs, CPU server %.2fs client %.2fs)\n",
				i+1, t.name, r.mbps[len(r.mbps)-1], d.Seconds(), cpu1-cpu0, client)
		}
	}
	return res, nil
}

// upload runs OpenSSH's sftp once and times it (connection setup included,
// the same for both servers). It also returns the client's CPU seconds.
func upload(ctx context.Context, o options, t target, keyFile, data string) (time.Duration, float64, error) {
	batch := keyFile + ".batch"
	if err := os.WriteFile(batch, []byte(fmt.Sprintf("put %s %s\n", data, t.dest)), 0o600); err != nil {
		return 0, 0, err
	}
	cmd := exec.CommandContext(ctx, "sftp", "-b", batch, "-P", strconv.Itoa(t.port), "-F", "/dev/null",
		"-i", keyFile, "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-o", "BatchMode=yes",
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
		"-o", "Ciphers="+o.cipher, t.user+"@127.0.0.1")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, 0, fmt.Errorf("sftp: %w\n%s", err, out)
	}
	d := time.Since(start)
	// wait4's usage of sftp includes the ssh child it reaped.
	ps := cmd.ProcessState
	return d, (ps.UserTime() + ps.SystemTime()).Seconds(), nil
}

func report(o options, targets []target, res map[string]*results, hwm int64) {
	fmt.Printf("\n%d runs each, %d bytes, cipher %s, niceness %d\n", o.runs, o.size, o.cipher, o.nice)
	for _, t := range targets {
		r := res[t.name]
		fmt.Printf("%-8s median %7.1f MB/s  (runs: %s)  CPU median: server %.2fs, client %.2fs\n",
			t.name, median(r.mbps), list(r.mbps), median(r.cpu), median(r.client))
	}
	sl, op := res["sluice"], res["openssh"]
	fmt.Printf("throughput ratio sluice/openssh: %.2f\n", median(sl.mbps)/median(op.mbps))
	fmt.Printf("server CPU ratio sluice/openssh: %.2f\n", median(sl.cpu)/median(op.cpu))
	fmt.Printf("sluice server peak RSS (VmHWM): %.1f MB\n", float64(hwm)/1e6)
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func list(v []float64) string {
	var parts []string
	for _, x := range v {
		parts = append(parts, fmt.Sprintf("%.0f", x))
	}
	return strings.Join(parts, " ")
}

// cpuSeconds is a process's user+system CPU time, with that of its reaped
// children if asked (fields 14-17 of /proc/<pid>/stat, in clock ticks).
func cpuSeconds(pid int, children bool) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("read server CPU time: %w", err)
	}
	i := strings.LastIndexByte(string(b), ')') // the command name may hold spaces
	f := strings.Fields(string(b[i+1:]))       // f[0] is field 3 (state)
	n := 2
	if children {
		n = 4
	}
	var ticks int64
	for _, v := range f[11 : 11+n] {
		t, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("parse /proc/%d/stat: %w", pid, err)
		}
		ticks += t
	}
	return float64(ticks) / clockTicks, nil
}

// waitReaped waits (up to 5 s) until pid has no child processes left.
func waitReaped(pid int) {
	path := fmt.Sprintf("/proc/%d/task/%d/children", pid, pid)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		b, err := os.ReadFile(path)
		if err != nil || len(strings.TrimSpace(string(b))) == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// clockTicks is USER_HZ, 100 on every Linux architecture Go supports.
const clockTicks = 100

// peakRSS reads a process's peak resident set size in bytes.
func peakRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read server memory: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, errors.New("no VmHWM in /proc status")
}

// writeData writes size pseudo-random bytes (incompressible, like gzip data).
func writeData(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	r := mrand.NewChaCha8([32]byte{1})
	buf := make([]byte, 1<<20)
	for left := size; left > 0; left -= int64(len(buf)) {
		r.Read(buf)
		if _, err := f.Write(buf[:min(int64(len(buf)), left)]); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

// clientKey writes a new ed25519 client key in OpenSSH format.
func clientKey(dir string) (path string, pub ssh.PublicKey, err error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", nil, err
	}
	block, err := ssh.MarshalPrivateKey(priv, "sftpbench")
	if err != nil {
		return "", nil, err
	}
	path = filepath.Join(dir, "client_key")
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return "", nil, err
	}
	s, err := ssh.NewSignerFromSigner(priv)
	if err != nil {
		return "", nil, err
	}
	return path, s.PublicKey(), nil
}
