#!/usr/bin/env bash
# Publishes examples/QuickStart twice and compares the folders (docs/deploying.md, "Lean TorchSharp publish"):
#   lean:    dotnet publish -r linux-x64 (framework-dependent), the command docs/deploying.md recommends, with the
#            package's default MLNetSeq2SeqLeanNativeAssets=true. The script checks that no left-out file is in the
#            folder or its .deps.json, that the libraries libtorch loads are, and runs the app from the folder (it
#            trains, saves, reloads and predicts).
#   opt-out: dotnet publish with -p:MLNetSeq2SeqLeanNativeAssets=false and no RuntimeIdentifier, what an app got
#            before. The script checks that every left-out libtorch file is there, so the list names real files.
# Then it prints both folder sizes. Usage: bash eng/publish-size.sh [output folder, default out/publish-size]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$repo/out/publish-size}"
app="$repo/examples/QuickStart"
lean="$out/lean-linux-x64" optout="$out/opt-out"
rm -rf "$lean" "$optout"

fail() { echo "publish-size: $*" >&2; exit 1; }

# The left-out libtorch files, read from the targets that leave them out (one list, no copy here).
unused="$(dotnet msbuild "$app" -nologo -getProperty:MLNetSeq2SeqUnusedLibTorchFiles)"
[ -n "$unused" ] || fail "MLNetSeq2SeqUnusedLibTorchFiles is empty: are the package's lean targets imported?"
IFS=';' read -r -a unused_files <<< "$unused"
loaded_files=(libLibTorchSharp.so libtorch.so libtorch_cpu.so libc10.so)

dotnet publish "$app" -c Release -r linux-x64 --self-contained false -o "$lean" --nologo -v quiet
dotnet publish "$app" -c Release -o "$optout" -p:MLNetSeq2SeqLeanNativeAssets=false --nologo -v quiet

for name in "${unused_files[@]}"; do
  [ -z "$(find "$lean" -name "$name")" ] || fail "lean publish still holds $name"
  ! grep -qF "$name\"" "$lean/QuickStart.deps.json" || fail "lean QuickStart.deps.json still lists $name"
  [ -n "$(find "$optout" -name "$name")" ] || fail "opt-out publish lacks $name: the libtorch package no longer ships it, update MLNetSeq2SeqUnusedLibTorchFiles"
done
for name in "${loaded_files[@]}"; do
  [ -f "$lean/$name" ] || fail "lean publish lacks $name, which libtorch loads"
done
[ -z "$(find "$lean" \( -name '*.dbg' -o -name '*.dwarf' -o -name '*.dylib' -o -name 'LibTorchSharp.dll' -o -name 'libSkiaSharp.dll' \))" ] \
  || fail "lean publish holds debug symbols or another platform's natives"
[ -d "$optout/runtimes/win-x64" ] || fail "opt-out publish has no runtimes/win-x64: the comparison would not show other platforms' natives"

echo "== running the lean publish from its folder"
run_output="$(cd "$lean" && ./QuickStart 2>&1)" || { echo "$run_output" >&2; fail "the lean publish did not run"; }
echo "$run_output" | tail -n 3
echo "$run_output" | grep -q "^done in" || fail "the lean publish did not finish"

size_mib() { du -sk "$1" | awk '{ printf "%.0f", $1 / 1024 }'; }
echo "== publish folder size (MiB): opt-out, no RuntimeIdentifier $(size_mib "$optout"); lean, -r linux-x64 $(size_mib "$lean")"
echo "publish size: ok"
