#!/usr/bin/env bash
# Packs the shipped packages into $1 and checks each holds its README, assembly, XML docs and a symbols package.
set -euo pipefail
packages_dir=$1
packages=(FunnelMetrics FunnelMetrics.EntityFrameworkCore FunnelMetrics.Testing FunnelMetrics.Hosting FunnelMetrics.Arrow FunnelMetrics.AspNetCore)

for package in "${packages[@]}"; do
  dotnet pack "src/$package/$package.csproj" -c Release --no-build -o "$packages_dir"
done

# Lists the entries of a zip file, one per line.
list_zip() {
  if command -v unzip >/dev/null 2>&1; then
    unzip -Z1 "$1"
  elif command -v python3 >/dev/null 2>&1; then
    python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$1"
  else
    echo "error: neither unzip nor python3 is available to list $1" >&2
    return 1
  fi
}

problems=0
for package in "${packages[@]}"; do
  shopt -s nullglob
  nupkgs=("$packages_dir/$package".[0-9]*.nupkg)
  snupkgs=("$packages_dir/$package".[0-9]*.snupkg)
  shopt -u nullglob

  if ((${#nupkgs[@]} != 1)); then
    echo "error: expected one $packages_dir/$package.<version>.nupkg, found ${#nupkgs[@]}" >&2
    problems=$((problems + 1))
    continue
  fi
  entries=$(list_zip "${nupkgs[0]}")
  for required in README.md "lib/net10.0/$package.dll" "lib/net10.0/$package.xml"; do
    grep -qxF "$required" <<<"$entries" \
      || { echo "error: ${nupkgs[0]} does not contain $required" >&2; problems=$((problems + 1)); }
  done
  ((${#snupkgs[@]} == 1)) \
    || { echo "error: expected one $packages_dir/$package.<version>.snupkg, found ${#snupkgs[@]}" >&2; problems=$((problems + 1)); }
  echo "checked: ${nupkgs[0]}"
done
((problems == 0))
