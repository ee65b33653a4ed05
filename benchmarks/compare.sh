#!/usr/bin/env bash
# Runs every calculator before (the library at a baseline commit) and after (src/FunnelMetrics in the working tree)
# in one BenchmarkDotNet run at 1M transitions, after checking that both compute the same figures, and prints the
# summary (Ratio: After/Before) and a Before/After table that says whether any calculator is more than 5% slower.
# Usage: benchmarks/compare.sh [--quick] [--baseline <commit>] [--transitions <n>] [BenchmarkDotNet arguments...]
#   --quick          a smoke run: two warm-ups and three single invocations a benchmark, tiered compilation off
#                    (proves both sides run and agree; its ratios are rough); about 5 minutes. Without it:
#                    BenchmarkDotNet's default job (at most 40 iterations); roughly 20-40 minutes on an idle machine.
#                    Either way each benchmark runs in a process of its own that loads only the side it times.
#   --baseline <c>   the commit to compare against (default 2f25a5a, main before the issue 12 redesign); a commit id,
#                    as the extracted source is cached per name under benchmarks/FunnelMetrics.Baseline/obj/baseline/.
#                    The before side is compiled for the baseline's API: Before.cs for the 0.1 API, Before02.cs for
#                    the 0.2 API, which a baseline at or after release 0.2.0 (7524743) has (e.g. --baseline 7524743).
#   --baseline-api v 0.1 or 0.2: which of the two, when the baseline's ancestry does not say it (a commit of the
#                    0.2 redesign before 7524743).
#   --transitions n  the history's size (default 1000000).
#   anything else    goes to BenchmarkDotNet, e.g. --filter '*Forecast*' '*LogBuild*'.
# Needs the .NET SDK, git and tar, and the baseline commit in the clone (not a shallow one).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
baseline=2f25a5a
api=
args=()
while (($#)); do
  case $1 in
    --baseline) baseline=$2; shift 2 ;;
    --baseline-api) api=$2; shift 2 ;;
    --transitions) export FUNNELMETRICS_COMPARE_TRANSITIONS=$2; shift 2 ;;
    # So few invocations would time tier-0 code: a quick run compiles everything optimized at once (the benchmark
    # processes inherit the variable). The full run warms up past tiering instead.
    --quick) export DOTNET_TieredCompilation=0; args+=("$1"); shift ;;
    *) args+=("$1"); shift ;;
  esac
done
project=benchmarks/FunnelMetrics.Benchmarks.Compare
# Exported: BenchmarkDotNet builds the benchmark processes' project too, and MSBuild reads it from the environment.
export BaselineCommit=$baseline
# Release 0.2.0 (7524743) and its descendants have the 0.2 API (Before02.cs); older commits the 0.1 API (Before.cs).
if [[ -z $api ]]; then
  if git merge-base --is-ancestor 7524743 "$baseline" 2>/dev/null; then api=0.2; else api=0.1; fi
fi
export BaselineApi=$api
echo "// Compare: baseline $baseline, before side for the $api API"
dotnet build "$project" -c Release -nologo -v q -clp:ErrorsOnly
artifacts=artifacts/compare
mkdir -p "$artifacts"
log=$artifacts/compare.log
# The whole BenchmarkDotNet output goes to the log; the terminal gets the progress, then the summary.
set +e
dotnet "$project/bin/Release/net10.0/FunnelMetrics.Benchmarks.Compare.dll" --artifacts "$artifacts" "${args[@]}" \
  | tee "$log" | grep --line-buffered -E '^// (Compare|Benchmark:)|Remained|rror'
status=${PIPESTATUS[0]}
set -e
sed -n '/^\/\/ \* Summary \*/,/^\/\/ \* Legends \*/p; /^Before: FunnelMetrics at/,$p' "$log"
echo "Full output: $log; reports: $artifacts/results/"
exit "$status"
