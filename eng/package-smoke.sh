#!/usr/bin/env bash
# Packs the library and proves the package works for a user: a throwaway console app outside the repository
# references MLNetSeq2Seq from a local folder source plus libtorch-cpu-linux-x64, once per supported Microsoft.ML line
# (the latest, 6.0.x, and the lowest, 5.0.1): it trains and saves, then a fresh process loads the zip and scores equal.
# Nothing but `dotnet run` is needed in the app: the package's buildTransitive targets relax the native shim and
# leave out the native files nothing loads (checked below).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/mlnetseq2seq-package-smoke.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# A unique version, so the global packages folder never serves a stale copy of an earlier run.
version="0.1.0-smoke.$(date +%s)"

dotnet pack "$repo/src/MLNetSeq2Seq" -c Release -o "$work/feed" -p:Version="$version" --nologo -v quiet
package="$work/feed/MLNetSeq2Seq.$version.nupkg"
listing="$(unzip -l "$package")"
for targets in MLNetSeq2Seq.targets MLNetSeq2Seq.LeanNativeAssets.targets; do
  grep -q "buildTransitive/$targets" <<< "$listing" || { echo "package lacks buildTransitive/$targets" >&2; exit 1; }
done

# One consumer app per supported ML.NET line, made as a user makes it: `dotnet new console` and `dotnet add package`.
# "latest" is what `dotnet add package Microsoft.ML` gives a new user today (no version written by hand); the lowest
# supported line is asked for by version.
for mlnet in latest 5.0.1; do
  app="$work/app-$mlnet"
  dotnet new console -o "$app" -n SmokeApp --framework net10.0 >/dev/null
  cat > "$app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local-feed" value="$work/feed" />
  </packageSources>
</configuration>
XML
  if [ "$mlnet" = latest ]; then
    (cd "$app" && dotnet add package Microsoft.ML >/dev/null)
  else
    (cd "$app" && dotnet add package Microsoft.ML --version "$mlnet" >/dev/null)
  fi
  (cd "$app" && dotnet add package MLNetSeq2Seq --version "$version" >/dev/null && dotnet add package libtorch-cpu-linux-x64 --version 2.10.0 >/dev/null)
  cp "$repo/eng/package-smoke/Program.cs" "$app/Program.cs"
  resolved="$(grep -o '"Microsoft.ML/[0-9][^"]*"' "$app/obj/project.assets.json" | head -1 | tr -d '"')"
  echo "consumer app ($mlnet): $(grep -o '<PackageReference Include="Microsoft.ML" [^>]*>' "$app/SmokeApp.csproj"), resolves $resolved"

  # Train and save in one process, load and score in a fresh one.
  output="$(cd "$app" && dotnet run -- train "$app/model.zip" "$app/scores.txt" 2>&1)" || { echo "$output" >&2; exit 1; }
  echo "$output" | grep "^package smoke"
  output="$(cd "$app" && dotnet run --no-build -- load "$app/model.zip" "$app/scores.txt" 2>&1)" || { echo "$output" >&2; exit 1; }
  echo "$output" | grep "^package smoke: ok" || { echo "package smoke app ($mlnet) did not report success: $output" >&2; exit 1; }
  if [ "$mlnet" != latest ]; then
    echo "$output" | grep -q "on Microsoft.ML $mlnet " || { echo "the app did not run on Microsoft.ML $mlnet" >&2; exit 1; }
  fi
  # The package's lean targets reached the app: libtorch's Python bindings are not in its output, libtorch_cpu.so is.
  [ -n "$(find "$app/bin" -name libtorch_cpu.so)" ] || { echo "package smoke app output lacks libtorch_cpu.so" >&2; exit 1; }
  [ -z "$(find "$app/bin" -name libtorch_python.so)" ] || { echo "package smoke app output holds libtorch_python.so: the lean targets did not apply" >&2; exit 1; }
done
