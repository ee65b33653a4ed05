#!/usr/bin/env bash
# Measures one bulk import through FunnelImporter (see benchmarks/FunnelMetrics.Benchmarks/ImportRun.cs) and prints
# the records per second with a stopwatch breakdown per phase and store call.
# Usage: benchmarks/import.sh <sqlite|postgres|memory> [records, default 1000000] [chunk size]
# PostgreSQL needs FUNNELMETRICS_POSTGRES (a server connection string); a database is created and dropped.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dotnet build benchmarks/FunnelMetrics.Benchmarks -c Release -v q >/dev/null
dotnet benchmarks/FunnelMetrics.Benchmarks/bin/Release/net10.0/FunnelMetrics.Benchmarks.dll import "$1" "${2:-1000000}" ${3:+"$3"}
