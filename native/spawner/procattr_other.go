//go:build !linux

package main

import "syscall"

// scriptSysProcAttr puts a script in its own group, so a stop reaches all it started (no
// parent-death signal outside Linux: the hub kills a stranded script's group by its pid).
func scriptSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
