// exec-only: the least any server can do per request for a script hook, measured next to
// adnanh/webhook and hookbox in the webhook-throughput benchmark as the ceiling for the ratio.
// It reads the body, runs the script in its own process group with the body on stdin and the
// HOOK_* variables in its environment (what hookbox gives a script), and answers the script's
// stdout — and nothing more: no routing, no limits, no timeout, no recording, no logging.
//
//	exec-only SCRIPT HOST:PORT
package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: exec-only SCRIPT HOST:PORT")
		os.Exit(2)
	}
	script, address := os.Args[1], os.Args[2]
	base := os.Environ()
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		env := append(make([]string, 0, len(base)+len(r.Header)+4), base...)
		for name, values := range r.Header {
			env = append(env, "HOOK_HEADER_"+strings.ToUpper(strings.ReplaceAll(name, "-", "_"))+"="+strings.Join(values, ", "))
		}
		env = append(env, "HOOK_METHOD="+r.Method, "HOOK_PATH="+r.URL.Path, "HOOK_QUERY="+r.URL.RawQuery, "HOOK_CONTENT_TYPE="+r.Header.Get("Content-Type"))
		var stdout, stderr bytes.Buffer
		cmd := exec.Command(script)
		cmd.Env = env
		cmd.Stdin = bytes.NewReader(body)
		cmd.Stdout = &stdout
		cmd.Stderr = &stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Run(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write(stdout.Bytes())
	})
	fmt.Printf("exec-only listening on http://%s\n", address)
	if err := http.ListenAndServe(address, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
