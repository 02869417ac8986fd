package main

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"mailbag/internal/benchcorpus"
)

// BenchmarkBurst measures the burst after a send: wrk asking for 2,000
// random post pages of MAILBAG_BENCH_POSTS posts (10,000 unless set) at
// 64 connections for 10 seconds, of `mailbag serve` and, side by side on
// the same machine, of nginx serving `mailbag build`'s files of the same
// pages. It reports each one's requests/s and p99, and serve's share of
// nginx's requests/s. It needs wrk and nginx (apt-get install wrk
// nginx-light) and skips without them.
//
//	go test ./cmd/mailbag -run '^$' -bench Burst -benchtime 1x
func BenchmarkBurst(b *testing.B) {
	wrk, err1 := exec.LookPath("wrk")
	nginx, err2 := exec.LookPath("nginx")
	if err1 != nil || err2 != nil {
		b.Skip("needs wrk and nginx: apt-get install wrk nginx-light")
	}
	n := benchcorpus.Count(b)
	bin := binary(b)
	h := benchHome(b, n)
	run := func(args ...string) {
		if out, err := exec.Command(bin, append([]string{"--home", h.Dir}, args...)...).CombinedOutput(); err != nil {
			b.Fatalf("mailbag %v: %v\n%s", args, err, out)
		}
	}
	run("reindex")
	public := filepath.Join(b.TempDir(), "public")
	run("build", "--out", public)

	// The pages both are asked for, as wrk's script.
	files, _ := filepath.Glob(filepath.Join(h.Posts(), "*.md"))
	rng := rand.New(rand.NewPCG(7, 8))
	var paths []string
	for range 2000 {
		name := filepath.Base(files[rng.IntN(len(files))])
		paths = append(paths, strconv.Quote("/"+name[:4]+"/"+name[5:7]+"/"+name[8:10]+"/"+strings.TrimSuffix(name[11:], ".md")+"/"))
	}
	dir := b.TempDir()
	script := filepath.Join(dir, "pages.lua")
	lua := "local paths = {" + strings.Join(paths, ",") + "}\n" +
		"local i = 0\n" +
		"request = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n"
	if err := os.WriteFile(script, []byte(lua), 0o644); err != nil {
		b.Fatal(err)
	}

	// nginx as a static host would run it: its workers one a core.
	nginxSite := freeSiteB(b)
	conf := filepath.Join(dir, "nginx.conf")
	user := "" // as root, nginx's workers would otherwise be nobody, who cannot read the test's folders
	if os.Geteuid() == 0 {
		user = "user root;"
	}
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(`daemon off;
%[4]s
worker_processes auto;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path %[1]s;
  proxy_temp_path %[1]s;
  fastcgi_temp_path %[1]s;
  uwsgi_temp_path %[1]s;
  scgi_temp_path %[1]s;
  types { text/html html; text/css css; }
  server {
    listen %[2]s;
    root %[3]s;
    index index.html;
  }
}
`, dir, strings.TrimPrefix(nginxSite, "http://"), public, user)), 0o644); err != nil {
		b.Fatal(err)
	}
	ng := exec.Command(nginx, "-c", conf, "-p", dir)
	if out, err := exec.Command(nginx, "-t", "-c", conf, "-p", dir).CombinedOutput(); err != nil {
		b.Fatalf("nginx -t: %v\n%s", err, out)
	}
	if err := ng.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ng.Process.Kill(); ng.Wait() })
	waitUp(b, nginxSite)

	serveSite := freeSiteB(b)
	serve := exec.Command(bin, "--home", h.Dir, "serve", "--addr", strings.TrimPrefix(serveSite, "http://"))
	if err := serve.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { serve.Process.Kill(); serve.Wait() })
	waitUp(b, serveSite)

	measure := func(site string) (reqs, p99 float64) {
		first, _ := strconv.Unquote(paths[0])
		resp, err := http.Get(site + first)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("%s%s: %s", site, first, resp.Status)
		}
		out, err := exec.Command(wrk, "-t2", "-c64", "-d10s", "--latency", "-s", script, site).CombinedOutput()
		if err != nil {
			b.Fatalf("wrk %s: %v\n%s", site, err, out)
		}
		return wrkFigures(b, string(out))
	}
	for b.Loop() {
		// The first visits, as right after a send: serve makes each
		// page once.
		coldReqs, coldP99 := measure(serveSite)
		b.ReportMetric(coldReqs, "serve-first-req/s")
		b.ReportMetric(coldP99, "serve-first-p99-ms")
		measure(nginxSite)
		serveReqs, serveP99 := measure(serveSite)
		nginxReqs, nginxP99 := measure(nginxSite)
		b.ReportMetric(serveReqs, "serve-req/s")
		b.ReportMetric(serveP99, "serve-p99-ms")
		b.ReportMetric(nginxReqs, "nginx-req/s")
		b.ReportMetric(nginxP99, "nginx-p99-ms")
		b.ReportMetric(serveReqs/nginxReqs, "share-of-nginx")
	}
}

var (
	wrkReqs   = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkP99    = regexp.MustCompile(`\s99%\s+([0-9.]+)(us|ms|s)\b`)
	wrkErrors = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)|Socket errors: .*`)
)

// wrkFigures reads requests/s and the p99 in milliseconds from wrk's
// --latency output, failing on any error response.
func wrkFigures(b *testing.B, out string) (reqs, p99ms float64) {
	if m := wrkErrors.FindString(out); m != "" {
		b.Fatalf("wrk saw errors: %s\n%s", m, out)
	}
	r, p := wrkReqs.FindStringSubmatch(out), wrkP99.FindStringSubmatch(out)
	if r == nil || p == nil {
		b.Fatalf("no figures in wrk's output:\n%s", out)
	}
	reqs, _ = strconv.ParseFloat(r[1], 64)
	p99ms, _ = strconv.ParseFloat(p[1], 64)
	switch p[2] {
	case "us":
		p99ms /= 1000
	case "s":
		p99ms *= 1000
	}
	return reqs, p99ms
}
