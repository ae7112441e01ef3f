package main

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// After a stopped script has exited and its group was killed, how long its output pipes may stay
// open before they are abandoned: only a process that left the group (setsid) can still hold
// them, and the Node spawner would wait for it forever.
const abandonPipesAfter = time.Second

// run is one script, from the 'run' command to the 'done' report.
type run struct {
	s   *spawner
	cmd *command

	mu              sync.Mutex
	pid             int // its process group, once started
	stopReason      string
	cancelRequested bool // a 'cancel' that came before the start
	stopped         chan struct{}
	forceKill       *time.Timer
	finished        bool
}

func newRun(s *spawner, cmd *command) *run {
	return &run{s: s, cmd: cmd, stopped: make(chan struct{})}
}

func (r *run) groupPid() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pid
}

// stop ends the script's group: SIGTERM now, SIGKILL after the grace period for a timeout and
// at once otherwise (what the Node spawner does).
func (r *run) stop(reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.finished || r.stopReason != "" {
		return
	}
	if r.pid == 0 {
		if reason == "cancelled" {
			r.cancelRequested = true
		}
		return
	}
	r.stopReason = reason
	pid := r.pid
	killGroup(pid, syscall.SIGTERM)
	grace := time.Duration(0)
	if reason == "timeout" {
		grace = millis(r.cmd.KillGraceMs)
	}
	r.forceKill = time.AfterFunc(grace, func() { killGroup(pid, syscall.SIGKILL) })
	close(r.stopped)
}

func millis(ms float64) time.Duration {
	if ms <= 0 {
		return 0
	}
	return time.Duration(ms * float64(time.Millisecond))
}

func (r *run) fail(code, message string) {
	r.s.finished(r.cmd.ID)
	r.s.send(doneReport{Type: "done", ID: r.cmd.ID, SpawnError: &spawnError{Code: code, Message: message}})
}

func (r *run) input() ([]byte, error) {
	if r.cmd.InputBase64 != nil {
		return base64.StdEncoding.DecodeString(*r.cmd.InputBase64)
	}
	if r.cmd.Input != nil {
		return []byte(*r.cmd.Input), nil
	}
	return nil, nil
}

// cappedOutput keeps the first limit bytes of a stream.
type cappedOutput struct {
	limit    int
	data     []byte
	overflow bool
}

// drain reads a stream to its end; past the cap it keeps reading (and dropping) so the script
// never blocks on a full pipe while it is being stopped.
func (r *run) drain(f *os.File, out *cappedOutput, done *sync.WaitGroup) {
	defer done.Done()
	defer f.Close()
	chunk := make([]byte, 64*1024)
	for {
		n, err := f.Read(chunk)
		if n > 0 && !out.overflow {
			if room := out.limit - len(out.data); n > room {
				out.data = append(out.data, chunk[:room]...)
				out.overflow = true
				r.stop("output_limit")
			} else {
				out.data = append(out.data, chunk[:n]...)
			}
		}
		if err != nil {
			return
		}
	}
}

func (r *run) execute() {
	cmd := r.cmd
	input, err := r.input()
	if err != nil {
		r.fail("", "cannot prepare its input: "+err.Error())
		return
	}
	env := envList(cmd.Env)
	if cmd.BaseEnv != nil {
		base, ok := r.s.base(*cmd.BaseEnv)
		if !ok {
			r.fail("", fmt.Sprintf("the hub referred to an environment (%d) it never sent", *cmd.BaseEnv))
			return
		}
		env = withBase(base, env)
	}
	path, err := lookPath(cmd.Command, env, cmd.Cwd)
	if err != nil {
		r.fail(spawnFailure(cmd.Command, err))
		return
	}

	// stdin is a real pipe: unlike Node's (Unix sockets), scripts can reopen it as /dev/stdin.
	var pipes [6]*os.File
	closeAll := func() {
		for _, f := range pipes {
			if f != nil {
				f.Close()
			}
		}
	}
	for i := 0; i < 6; i += 2 {
		if pipes[i], pipes[i+1], err = os.Pipe(); err != nil {
			closeAll()
			r.fail("", "cannot create its pipes: "+err.Error())
			return
		}
	}
	stdinR, stdinW, stdoutR, stdoutW, stderrR, stderrW := pipes[0], pipes[1], pipes[2], pipes[3], pipes[4], pipes[5]
	attr := &os.ProcAttr{
		Dir:   cmd.Cwd,
		Env:   env, // exactly the env given (never nil: nil would mean this process's own)
		Files: []*os.File{stdinR, stdoutW, stderrW},
		Sys:   scriptSysProcAttr(),
	}
	argv := append([]string{cmd.Command}, cmd.Args...)
	proc, err := os.StartProcess(path, argv, attr)
	var errno syscall.Errno
	if errors.As(err, &errno) && errno == syscall.ENOEXEC {
		// No #! line: run it with /bin/sh, as Node's spawn (execvp) does.
		proc, err = os.StartProcess("/bin/sh", append([]string{"/bin/sh", path}, cmd.Args...), attr)
	}
	stdinR.Close()
	stdoutW.Close()
	stderrW.Close()
	if err != nil {
		stdinW.Close()
		stdoutR.Close()
		stderrR.Close()
		r.fail(spawnFailure(cmd.Command, err))
		return
	}

	pid := proc.Pid
	r.mu.Lock()
	r.pid = pid
	cancelled := r.cancelRequested
	r.mu.Unlock()
	r.s.send(startedReport{Type: "started", ID: cmd.ID, Pid: pid})
	timeout := time.AfterFunc(millis(cmd.TimeoutMs), func() { r.stop("timeout") })
	if cancelled {
		r.stop("cancelled")
	}

	go func() {
		// EPIPE (a script that does not read its input) is fine.
		_, _ = stdinW.Write(input)
		stdinW.Close()
	}()
	limit := int(cmd.MaxOutputBytes)
	if limit < 0 {
		limit = 0
	}
	stdout, stderr := &cappedOutput{limit: limit}, &cappedOutput{limit: limit}
	var reading sync.WaitGroup
	reading.Add(2)
	go r.drain(stdoutR, stdout, &reading)
	go r.drain(stderrR, stderr, &reading)
	readDone := make(chan struct{})
	go func() {
		reading.Wait()
		close(readDone)
	}()
	type waited struct {
		state *os.ProcessState
		err   error
	}
	exited := make(chan waited, 1)
	go func() {
		state, err := proc.Wait()
		exited <- waited{state, err}
	}()

	// 'done' comes once the script has exited and its output has been read to the end.
	var state *os.ProcessState
	var waitErr error
	hasExited, hasRead := false, false
	stoppedCh := r.stopped
	var abandon <-chan time.Time
	afterStoppedExit := func() {
		// Whatever a stopped script left behind in its group goes with it.
		killGroup(pid, syscall.SIGKILL)
		abandon = time.After(abandonPipesAfter)
	}
	for !hasExited || !hasRead {
		select {
		case w := <-exited:
			hasExited, state, waitErr = true, w.state, w.err
			if r.isStopped() {
				afterStoppedExit()
				stoppedCh = nil
			}
		case <-stoppedCh:
			stoppedCh = nil
			if hasExited {
				afterStoppedExit()
			}
		case <-readDone:
			hasRead = true
			readDone = nil
		case <-abandon:
			abandon = nil
			stdoutR.Close() // the readers return, and reading completes
			stderrR.Close()
		}
	}
	timeout.Stop()
	r.mu.Lock()
	r.finished = true
	if r.forceKill != nil {
		r.forceKill.Stop()
	}
	stopReason := r.stopReason
	r.mu.Unlock()
	if stopReason != "" {
		killGroup(pid, syscall.SIGKILL)
	}
	stdinW.Close() // unblocks the input writer if nothing reads stdin any more
	r.s.finished(cmd.ID)

	report := doneReport{Type: "done", ID: cmd.ID, Stdout: nodeUTF8(stdout.data), Stderr: nodeUTF8(stderr.data), StopReason: stopReason}
	if waitErr != nil {
		report.SpawnError = &spawnError{Message: "cannot wait for the script: " + waitErr.Error()}
	} else if status, ok := state.Sys().(syscall.WaitStatus); ok && status.Signaled() {
		name := signalName(status.Signal())
		report.Signal = &name
	} else {
		code := state.ExitCode()
		report.Code = &code
	}
	r.s.send(report)
}

func (r *run) isStopped() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stopReason != ""
}

// spawnFailure words a failed start as Node's spawn does: code ENOENT, message "spawn x ENOENT".
func spawnFailure(command string, err error) (string, string) {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		if name, ok := errnoNames[errno]; ok {
			return name, fmt.Sprintf("spawn %s %s", command, name)
		}
	}
	return "", fmt.Sprintf("spawn %s: %v", command, err)
}

// lookPath finds a command without a slash on the PATH of the env the script gets (not this
// process's), as Node's spawn does; /usr/bin:/bin when it has none. A command with a slash is
// left to execve, relative to the script's cwd.
func lookPath(file string, env []string, cwd string) (string, error) {
	if strings.Contains(file, "/") {
		return file, nil
	}
	if file == "" {
		return "", syscall.ENOENT
	}
	pathList := "/usr/bin:/bin"
	for _, kv := range env {
		if strings.HasPrefix(kv, "PATH=") {
			pathList = kv[len("PATH="):]
		}
	}
	denied := false
	for _, dir := range filepath.SplitList(pathList) {
		if dir == "" {
			dir = "."
		}
		candidate := filepath.Join(dir, file)
		if !filepath.IsAbs(candidate) && cwd != "" {
			candidate = filepath.Join(cwd, candidate)
		}
		info, err := os.Stat(candidate)
		if err != nil {
			if errors.Is(err, syscall.EACCES) {
				denied = true
			}
			continue
		}
		if info.IsDir() || syscall.Access(candidate, 1 /* X_OK */) != nil {
			denied = true
			continue
		}
		return candidate, nil
	}
	if denied {
		return "", syscall.EACCES
	}
	return "", syscall.ENOENT
}
