// Command sluice is the self-hosted SFTP import service; see the README.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"sluice/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.LookupEnv}, os.Args[1:])
	stop()
	os.Exit(code)
}
