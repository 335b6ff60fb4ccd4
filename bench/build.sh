#!/bin/sh
# build.sh OUTDIR: builds the kotabench parent and one lean child binary per
# engine build group into OUTDIR:
#
#	kotabench          every engine (cgo, SQLite with FTS5): the parent
#	kotabench-kotadb   kotadb only (pure Go), also runs `kotabench ingest`
#	kotabench-fts5     fts5 and fts5-trigram only (cgo)
#	kotabench-bleve    bleve only (pure Go)
#
# The parent runs each engine's children with kotabench-GROUP found next
# to it, so a child's peak RSS includes its own engine's code only (see
# cmd/kotabench/engines.go and childbin.go).
set -eu
if [ $# -ne 1 ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi
mkdir -p "$1"
out=$(cd "$1" && pwd)
cd "$(dirname "$0")"
go build -tags sqlite_fts5 -o "$out/kotabench" ./cmd/kotabench
CGO_ENABLED=0 go build -tags bench_kotadb -o "$out/kotabench-kotadb" ./cmd/kotabench
CGO_ENABLED=1 go build -tags 'bench_fts5 sqlite_fts5' -o "$out/kotabench-fts5" ./cmd/kotabench
CGO_ENABLED=0 go build -tags bench_bleve -o "$out/kotabench-bleve" ./cmd/kotabench
ls -l "$out"/kotabench "$out"/kotabench-kotadb "$out"/kotabench-fts5 "$out"/kotabench-bleve
