package main

import "syscall"

// scriptSysProcAttr puts a script in its own group, so a stop reaches all it started, and has
// the kernel kill it if this spawner dies: the hub kills a stranded script's group only once it
// has the 'started' report, and a spawner killed between the start and that report would leave
// the script running.
func scriptSysProcAttr() *syscall.SysProcAttr {
	// Pdeathsig follows the thread that started the child; this program never locks goroutines
	// to threads, so the Go runtime keeps every thread until the process exits.
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
