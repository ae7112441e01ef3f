// hookbox-spawner: runs the hub's scripts for it, the Go counterpart of the Node spawner in
// main/core/process/spawner-main.ts, speaking the same protocol (script-runner.ts picks one).
//
// Why Go: Node starts a child with fork(), which copies the page tables of the whole ~40 MB
// Node spawner for every script (about 2 ms of CPU each); Go starts it with
// clone(CLONE_VM|CLONE_VFORK), whose cost does not grow with the parent's memory.
//
// The hub starts it with stdio ['ignore', 'inherit', 'inherit', 'ipc'] and serialization
// 'json': the channel is the socket in NODE_CHANNEL_FD and carries one JSON value and "\n" per
// message, either way. When the hub closes it (exit, crash, SIGKILL) every script is killed and
// this process exits.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"syscall"
)

type spawner struct {
	channel *os.File
	writeMu sync.Mutex

	mu      sync.Mutex
	running map[int64]*run
	// Environments registered once ('env') that runs build on (baseEnv), as KEY=value.
	bases map[int64][]string
}

func main() {
	fd, err := strconv.Atoi(os.Getenv("NODE_CHANNEL_FD"))
	if err != nil || fd < 0 {
		fmt.Fprintln(os.Stderr, "hookbox-spawner: NODE_CHANNEL_FD is not set: start it from Node with an 'ipc' stdio entry (script-runner.ts does)")
		os.Exit(2)
	}
	// Inherited without close-on-exec: the scripts must not get the hub's channel.
	syscall.CloseOnExec(fd)
	s := &spawner{channel: os.NewFile(uintptr(fd), "ipc"), running: map[int64]*run{}, bases: map[int64][]string{}}
	s.serve()
	// The hub is gone: so are its scripts, and this process.
	s.killAll()
	os.Exit(0)
}

// serve reads commands until the channel closes. Lines can be several MB (a request body).
func (s *spawner) serve() {
	reader := bufio.NewReaderSize(s.channel, 64*1024)
	for {
		line, err := reader.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			s.handle(line)
		}
		if err != nil {
			// EOF or a reset: the hub closed the channel (it exited or was killed).
			if err != io.EOF && !errors.Is(err, syscall.ECONNRESET) {
				fmt.Fprintf(os.Stderr, "hookbox-spawner: reading the hub's channel: %v\n", err)
			}
			return
		}
	}
}

func (s *spawner) handle(line []byte) {
	var cmd command
	if err := json.Unmarshal(line, &cmd); err != nil {
		// Answer it if it names a run, so its caller is not left waiting.
		var head struct {
			Type string `json:"type"`
			ID   int64  `json:"id"`
		}
		if json.Unmarshal(line, &head) == nil && head.Type == "run" {
			s.send(doneReport{Type: "done", ID: head.ID, SpawnError: &spawnError{Message: "the spawner could not read the run command: " + err.Error()}})
			return
		}
		fmt.Fprintf(os.Stderr, "hookbox-spawner: ignoring a message it cannot read: %v\n", err)
		return
	}
	switch cmd.Type {
	case "run":
		r := newRun(s, &cmd)
		s.mu.Lock()
		s.running[cmd.ID] = r
		s.mu.Unlock()
		go r.execute()
	case "env":
		list := envList(cmd.Env)
		s.mu.Lock()
		s.bases[cmd.Key] = list
		s.mu.Unlock()
	case "cancel":
		s.mu.Lock()
		r := s.running[cmd.ID]
		s.mu.Unlock()
		if r != nil {
			r.stop("cancelled")
		}
	case "killAll":
		s.killAll()
	}
}

// base is the registered environment with this key.
func (s *spawner) base(key int64) ([]string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list, ok := s.bases[key]
	return list, ok
}

func (s *spawner) finished(id int64) {
	s.mu.Lock()
	delete(s.running, id)
	s.mu.Unlock()
}

// killAll SIGKILLs every running script's group (as the Node spawner does, without a stopReason).
func (s *spawner) killAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.running {
		if pid := r.groupPid(); pid > 0 {
			killGroup(pid, syscall.SIGKILL)
		}
	}
}

// send writes one report as one line; reports from concurrent runs must not interleave.
func (s *spawner) send(report interface{}) {
	var buf bytes.Buffer
	encoder := json.NewEncoder(&buf)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(report); err != nil {
		fmt.Fprintf(os.Stderr, "hookbox-spawner: cannot encode a report: %v\n", err)
		return
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	// A failed write means the hub is gone; the reader sees the channel close and exits.
	_, _ = s.channel.Write(buf.Bytes())
}

func killGroup(pid int, sig syscall.Signal) {
	_ = syscall.Kill(-pid, sig) // ESRCH: already gone
}
