#!/usr/bin/env bash
# Runs every test project (one .trx file each, into $1) without stopping at the first failure, then prints the totals
# as one line, "N passed, N failed", and exits non-zero when a test failed or a project's results are missing.
set -uo pipefail
results_dir=$1

test_exit=0
test_projects=0
for project in tests/*/*.csproj; do
  # tests/ also holds programs the tests start (such as FunnelMetrics.FeedProcess): only test projects are run.
  grep -q '<IsTestProject>true</IsTestProject>' "$project" || continue
  test_projects=$((test_projects + 1))
  name=$(basename "$project" .csproj)
  dotnet test "$project" -c Release --no-build \
    --logger "trx;LogFileName=$name.trx" \
    --results-directory "$results_dir" || test_exit=$?
done

# Sum the <Counters passed=".." failed=".." .../> of every .trx file.
passed=0
failed=0
trx_count=0
unreadable_trx=0
while IFS= read -r -d '' trx; do
  trx_count=$((trx_count + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1 || true)
  p=$(printf '%s\n' "$counters" | sed -n 's/.* passed="\([0-9][0-9]*\)".*/\1/p')
  f=$(printf '%s\n' "$counters" | sed -n 's/.* failed="\([0-9][0-9]*\)".*/\1/p')
  if [[ -z "$p" || -z "$f" ]]; then
    echo "error: no <Counters passed=.. failed=..> in $trx" >&2
    unreadable_trx=$((unreadable_trx + 1))
    continue
  fi
  passed=$((passed + 10#$p))
  failed=$((failed + 10#$f))
done < <(find "$results_dir" -type f -name '*.trx' -print0)

echo "${passed} passed, ${failed} failed"

if ((trx_count != test_projects)); then
  echo "error: $trx_count .trx files found under $results_dir for $test_projects test projects" >&2
  exit 1
fi
((unreadable_trx == 0)) || exit 1
if ((test_exit != 0)); then
  echo "error: dotnet test exited with code $test_exit" >&2
  exit "$test_exit"
fi
if ((failed > 0)); then
  echo "error: $failed test(s) failed" >&2
  exit 1
fi
