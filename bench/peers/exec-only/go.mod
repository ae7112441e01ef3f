module hookbox/bench/exec-only

go 1.19
