//go:build tools

// Package tools pins SeaweedFS, the S3-compatible server sluice's tests run
// against. build.sh builds its weed command from this module once per
// machine, into a cache folder outside the repository.
package tools

import _ "github.com/seaweedfs/seaweedfs/weed"
