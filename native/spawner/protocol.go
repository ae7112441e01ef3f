package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"syscall"
	"unicode/utf8"
)

// The messages exchanged with the hub: the same protocol as the Node spawner
// (SpawnerCommand / SpawnerReport in main/core/process/spawner-main.ts).

// command is one hub-to-spawner message; which fields are set depends on Type.
type command struct {
	Type    string   `json:"type"`
	ID      int64    `json:"id"`
	Command string   `json:"command"`
	Args    []string `json:"args"`
	Input   *string  `json:"input"`
	// A Buffer's bytes cannot travel in JSON: the hub sends them as base64 here instead.
	InputBase64    *string                    `json:"inputBase64"`
	// With BaseEnv: what this run adds to, or overrides in, that registered environment.
	Env map[string]json.RawMessage `json:"env"`
	// 'run': the key of an environment registered by an 'env' command; 'env': the key it gets.
	BaseEnv        *int64                     `json:"baseEnv"`
	Key            int64                      `json:"key"`
	Cwd            string                     `json:"cwd"`
	TimeoutMs      float64                    `json:"timeoutMs"`
	MaxOutputBytes float64                    `json:"maxOutputBytes"`
	KillGraceMs    float64                    `json:"killGraceMs"`
}

type spawnError struct {
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
}

// report is one spawner-to-hub message: {type:'started'} or {type:'done'}.
type startedReport struct {
	Type string `json:"type"`
	ID   int64  `json:"id"`
	Pid  int    `json:"pid"`
}

type doneReport struct {
	Type string `json:"type"`
	ID   int64  `json:"id"`
	// null when the script was killed by a signal (or never ran), as Node's 'close' gives it.
	Code *int `json:"code"`
	// Node's name for the signal that killed the script ("SIGTERM"), or null.
	Signal     *string     `json:"signal"`
	Stdout     string      `json:"stdout"`
	Stderr     string      `json:"stderr"`
	StopReason string      `json:"stopReason,omitempty"`
	SpawnError *spawnError `json:"spawnError,omitempty"`
}

// envList turns the env object into KEY=value pairs the way Node's spawn does: undefined values
// never arrive (JSON drops them), anything else becomes its string form.
func envList(env map[string]json.RawMessage) []string {
	list := make([]string, 0, len(env))
	for key, raw := range env {
		list = append(list, key+"="+envValue(raw))
	}
	return list
}

func envValue(raw json.RawMessage) string {
	// The common case, a string without escapes, needs no decoder.
	if n := len(raw); n >= 2 && raw[0] == '"' && raw[n-1] == '"' && bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : n-1])
	}
	var text string
	if err := json.Unmarshal(raw, &text); err != nil {
		return string(raw) // a number, true/false or null: its JSON text is its string form
	}
	return text
}

// withBase is base with env's entries added, an entry of env replacing base's of the same name.
func withBase(base []string, env []string) []string {
	if len(env) == 0 {
		return base
	}
	overridden := make(map[string]bool, len(env))
	for _, kv := range env {
		overridden[kv[:strings.IndexByte(kv, '=')]] = true
	}
	merged := make([]string, 0, len(base)+len(env))
	for _, kv := range base {
		if !overridden[kv[:strings.IndexByte(kv, '=')]] {
			merged = append(merged, kv)
		}
	}
	return append(merged, env...)
}

// Node's names for the signals (signo_string in Node's sources); signals_linux.go adds Linux's own.
var signalNames = map[syscall.Signal]string{
	syscall.SIGHUP: "SIGHUP", syscall.SIGINT: "SIGINT", syscall.SIGQUIT: "SIGQUIT", syscall.SIGILL: "SIGILL",
	syscall.SIGTRAP: "SIGTRAP", syscall.SIGABRT: "SIGABRT", syscall.SIGBUS: "SIGBUS", syscall.SIGFPE: "SIGFPE",
	syscall.SIGKILL: "SIGKILL", syscall.SIGUSR1: "SIGUSR1", syscall.SIGSEGV: "SIGSEGV", syscall.SIGUSR2: "SIGUSR2",
	syscall.SIGPIPE: "SIGPIPE", syscall.SIGALRM: "SIGALRM", syscall.SIGTERM: "SIGTERM", syscall.SIGCHLD: "SIGCHLD",
	syscall.SIGCONT: "SIGCONT", syscall.SIGSTOP: "SIGSTOP", syscall.SIGTSTP: "SIGTSTP", syscall.SIGTTIN: "SIGTTIN",
	syscall.SIGTTOU: "SIGTTOU", syscall.SIGURG: "SIGURG", syscall.SIGXCPU: "SIGXCPU", syscall.SIGXFSZ: "SIGXFSZ",
	syscall.SIGVTALRM: "SIGVTALRM", syscall.SIGPROF: "SIGPROF", syscall.SIGWINCH: "SIGWINCH", syscall.SIGIO: "SIGIO",
	syscall.SIGSYS: "SIGSYS",
}

func signalName(sig syscall.Signal) string {
	if name, ok := signalNames[sig]; ok {
		return name
	}
	return fmt.Sprintf("SIG%d", int(sig))
}

// The errno names Node gives a failed spawn (error.code); script-runner.ts words ENOENT and EACCES.
var errnoNames = map[syscall.Errno]string{
	syscall.ENOENT: "ENOENT", syscall.EACCES: "EACCES", syscall.EPERM: "EPERM", syscall.ENOEXEC: "ENOEXEC",
	syscall.ENOTDIR: "ENOTDIR", syscall.EISDIR: "EISDIR", syscall.ELOOP: "ELOOP", syscall.ENAMETOOLONG: "ENAMETOOLONG",
	syscall.E2BIG: "E2BIG", syscall.ENOMEM: "ENOMEM", syscall.EAGAIN: "EAGAIN", syscall.EMFILE: "EMFILE",
	syscall.ENFILE: "ENFILE", syscall.ETXTBSY: "ETXTBSY", syscall.EINVAL: "EINVAL", syscall.EIO: "EIO",
	syscall.EFAULT: "EFAULT",
}

// nodeUTF8 decodes bytes to a string as Node's Buffer.toString('utf8') does: each maximal
// invalid subpart becomes one U+FFFD (Go's own conversion, at JSON encoding, would give one
// per byte), so both spawners report the same text for the same output.
func nodeUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r != utf8.RuneError || size > 1 {
			out = append(out, b[i:i+size]...)
			i += size
			continue
		}
		out = append(out, "\uFFFD"...)
		i += invalidSubpart(b[i:])
	}
	return string(out)
}

// invalidSubpart is the length of the maximal prefix of b that starts a well-formed UTF-8
// sequence but does not complete one (at least 1).
func invalidSubpart(b []byte) int {
	lead := b[0]
	var need int
	lo, hi := byte(0x80), byte(0xBF)
	switch {
	case lead >= 0xC2 && lead <= 0xDF:
		need = 1
	case lead >= 0xE0 && lead <= 0xEF:
		need = 2
		if lead == 0xE0 {
			lo = 0xA0
		} else if lead == 0xED {
			hi = 0x9F
		}
	case lead >= 0xF0 && lead <= 0xF4:
		need = 3
		if lead == 0xF0 {
			lo = 0x90
		} else if lead == 0xF4 {
			hi = 0x8F
		}
	default:
		return 1
	}
	n := 1
	for k := 0; k < need && n < len(b); k++ {
		c := b[n]
		if k == 0 && (c < lo || c > hi) || k > 0 && (c < 0x80 || c > 0xBF) {
			break
		}
		n++
	}
	return n
}
