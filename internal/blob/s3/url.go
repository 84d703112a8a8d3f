package s3

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"sluice/internal/config"
)

// Options say where the bucket is and how to reach it.
type Options struct {
	Endpoint  string // host:port; default s3.amazonaws.com
	Bucket    string
	Prefix    string // key prefix inside the bucket, "" or ending in "/"
	Region    string // default us-east-1
	Insecure  bool   // plain HTTP instead of HTTPS
	PathStyle bool   // bucket in the path, not the host name (most self-hosted servers)
	AccessKey string
	SecretKey string
	Session   string // optional session token

	PartSize int64  // bytes per multipart part; default 8 MiB, at least 5 MiB
	SpillDir string // out-of-order bytes wait here; default os.TempDir()
	MaxSpill int64  // out-of-order bytes held per upload; default 5 GiB
}

// ParseURL reads a blob URL:
//
//	s3://[ACCESS_KEY:SECRET_KEY@]bucket[/prefix]?endpoint=host:port&region=…&insecure=true&path-style=true&part-size=16MiB
//
// Without user info, the keys come from AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) through env. No keys at all
// means anonymous requests.
func ParseURL(raw string, env func(string) (string, bool)) (Options, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse quotes the whole URL, secret key included.
		return Options{}, errors.New("blob url: not a valid URL (not shown: it may hold a secret key)")
	}
	if u.Scheme != "s3" || u.Host == "" {
		return Options{}, fmt.Errorf("blob url: expected s3://bucket?endpoint=host:port, got scheme %q", u.Scheme)
	}
	o := Options{Bucket: u.Host, Prefix: strings.Trim(u.Path, "/")}
	if o.Prefix != "" {
		o.Prefix += "/"
	}
	if err := o.query(u.Query()); err != nil {
		return Options{}, err
	}
	o.credentials(u.User, env)
	return o, nil
}

func (o *Options) query(q url.Values) error {
	o.Endpoint, o.Region = q.Get("endpoint"), q.Get("region")
	var err error
	if o.Insecure, err = boolParam(q, "insecure"); err != nil {
		return err
	}
	if o.PathStyle, err = boolParam(q, "path-style"); err != nil {
		return err
	}
	if v := q.Get("part-size"); v != "" {
		var s config.Size
		if err := s.Set(v); err != nil {
			return fmt.Errorf("blob url: part-size: %w", err)
		}
		o.PartSize = int64(s)
	}
	for k := range q {
		switch k {
		case "endpoint", "region", "insecure", "path-style", "part-size":
		default:
			return fmt.Errorf("blob url: unknown parameter %q (known: endpoint, region, insecure, path-style, part-size)", k)
		}
	}
	return nil
}

func boolParam(q url.Values, name string) (bool, error) {
	v := q.Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("blob url: %s=%q: want true or false", name, v)
	}
	return b, nil
}

func (o *Options) credentials(user *url.Userinfo, env func(string) (string, bool)) {
	if user != nil {
		o.AccessKey = user.Username()
		o.SecretKey, _ = user.Password()
		return
	}
	o.AccessKey, _ = env("AWS_ACCESS_KEY_ID")
	o.SecretKey, _ = env("AWS_SECRET_ACCESS_KEY")
	o.Session, _ = env("AWS_SESSION_TOKEN")
}

// withDefaults fills what was left out.
func (o Options) withDefaults() (Options, error) {
	if o.Bucket == "" {
		return o, fmt.Errorf("s3: no bucket")
	}
	if o.Endpoint == "" {
		o.Endpoint = "s3.amazonaws.com"
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if o.PartSize == 0 {
		o.PartSize = 8 << 20
	}
	if o.PartSize < minPartSize {
		return o, fmt.Errorf("s3: part size %d is below S3's minimum of 5 MiB", o.PartSize)
	}
	if o.MaxSpill == 0 {
		o.MaxSpill = 5 << 30
	}
	return o, nil
}

const (
	minPartSize = 5 << 20
	maxParts    = 10000
)
