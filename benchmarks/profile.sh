#!/usr/bin/env bash
# Profiles one workload with dotnet-trace (sampling) and prints the methods with the most exclusive time.
# Usage: benchmarks/profile.sh <dashboard|subset|parts|subset-sequential|subset-duckdb|logbuild|stalls|forecast|timeinstage|breakdown|liveview> <transitions> [seconds]
# Needs dotnet-trace: dotnet tool install -g dotnet-trace
set -euo pipefail
export PATH="$PATH:$HOME/.dotnet/tools"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
work=$1 size=$2 seconds=${3:-20}
out=artifacts/profiles
mkdir -p "$out"
dotnet build benchmarks/FunnelMetrics.Benchmarks -c Release -v q >/dev/null
fifo=$(mktemp -u) && mkfifo "$fifo"
dotnet benchmarks/FunnelMetrics.Benchmarks/bin/Release/net10.0/FunnelMetrics.Benchmarks.dll profile "$work" "$size" "$seconds" >"$fifo" &
exec 3<"$fifo"
read -r _ pid <&3
trace="$out/$work-$size.nettrace"
dotnet-trace collect -p "$pid" --profile dotnet-common,dotnet-sampled-thread-time -o "$trace" --duration "00:00:$(printf '%02d' $((seconds + 2)))" >/dev/null
cat <&3
wait
rm -f "$fifo"
dotnet-trace report "$trace" topN -n 25
