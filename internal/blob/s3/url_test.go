package s3

import (
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	env := map[string]string{"AWS_ACCESS_KEY_ID": "envkey", "AWS_SECRET_ACCESS_KEY": "envsecret", "AWS_SESSION_TOKEN": "tok"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	tests := []struct {
		name string
		url  string
		want Options
		err  string
	}{
		{"env credentials", "s3://files?endpoint=127.0.0.1:8333&region=eu-west-1&insecure=true",
			Options{Bucket: "files", Endpoint: "127.0.0.1:8333", Region: "eu-west-1", Insecure: true,
				AccessKey: "envkey", SecretKey: "envsecret", Session: "tok"}, ""},
		{"url credentials and prefix", "s3://AK:S%2FK@files/sluice/prod/?endpoint=minio:9000&path-style=true&part-size=16MiB",
			Options{Bucket: "files", Prefix: "sluice/prod/", Endpoint: "minio:9000", PathStyle: true,
				AccessKey: "AK", SecretKey: "S/K", PartSize: 16 << 20}, ""},
		{"aws defaults", "s3://files", Options{Bucket: "files", AccessKey: "envkey", SecretKey: "envsecret", Session: "tok"}, ""},
		{"wrong scheme", "gs://files", Options{}, "expected s3://"},
		{"no bucket", "s3:///x", Options{}, "expected s3://"},
		{"unknown parameter", "s3://files?endpont=x", Options{}, `unknown parameter "endpont"`},
		{"bad bool", "s3://files?insecure=maybe", Options{}, "insecure"},
		{"bad size", "s3://files?part-size=big", Options{}, "part-size"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseURL(tc.url, lookup)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want it to mention %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestParseURLKeepsSecretsOutOfErrors(t *testing.T) {
	_, err := ParseURL("s3://AK:supersecret@files:xx/", func(string) (string, bool) { return "", false })
	if err == nil || strings.Contains(err.Error(), "supersecret") {
		t.Fatalf("err = %v: want an error without the secret", err)
	}
}

func TestDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   Options
		err  string
	}{
		{"small parts", Options{Bucket: "b", PartSize: 1 << 20}, "minimum of 5 MiB"},
		{"no bucket", Options{}, "no bucket"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.in.withDefaults(); err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err = %v, want %q", err, tc.err)
			}
		})
	}
	o, err := Options{Bucket: "b"}.withDefaults()
	if err != nil || o.Endpoint != "s3.amazonaws.com" || o.Region != "us-east-1" || o.PartSize != 8<<20 {
		t.Fatalf("defaults: %+v, %v", o, err)
	}
}
