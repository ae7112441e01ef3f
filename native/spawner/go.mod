module hookbox/spawner

go 1.19
