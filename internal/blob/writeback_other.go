//go:build !linux

package blob

import "os"

func startWriteback(*os.File) {}
