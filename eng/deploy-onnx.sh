#!/usr/bin/env bash
# examples/Deploy end to end (docs/deploying.md, "Deploying with ONNX Runtime"):
#   1. Train: trains a small forecaster with MLNetSeq2Seq, saves the ML.NET zip, exports ONNX with ML.NET's converter and
#      checks ApplyOnnxModel and ONNX Runtime against Transform (exit code 1 beyond 1e-5).
#   2. publishes Serve (ONNX Runtime only) with -r linux-x64, checks that its folder holds no libtorch, no TorchSharp
#      and no MLNetSeq2Seq, and runs it from the folder: it scores the exported graph and checks Transform's scores.
#   3. prints the Serve folder's size, next to the lean TorchSharp publish of eng/publish-size.sh when that ran first.
# Usage: bash eng/deploy-onnx.sh [output folder, default out/deploy]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$repo/out/deploy}"; mkdir -p "$out"; out="$(cd "$out" && pwd)"
train="$out/train" serve="$out/serve"
rm -rf "$train" "$serve"

fail() { echo "deploy-onnx: $*" >&2; exit 1; }

echo "== Train: fit, save, ConvertToOnnx, ApplyOnnxModel and ONNX Runtime vs Transform"
dotnet run -c Release --project "$repo/examples/Deploy/Train" -- --out "$train"
[ -s "$train/forecast.onnx" ] && [ -s "$train/forecast.zip" ] && [ -s "$train/test-windows.bin" ] || fail "Train did not write forecast.onnx, forecast.zip and test-windows.bin"

echo "== Serve: publish (-r linux-x64, framework-dependent) and check the folder holds no libtorch"
dotnet publish "$repo/examples/Deploy/Serve" -c Release -r linux-x64 --self-contained false -o "$serve" --nologo -v quiet
forbidden="$(find "$serve" \( -iname 'libtorch*' -o -iname '*LibTorchSharp*' -o -iname 'TorchSharp*.dll' -o -iname 'MLNetSeq2Seq*.dll' -o -iname 'libc10*' -o -iname 'libgomp*' \) -printf '%f ')"
[ -z "$forbidden" ] || fail "the Serve publish folder holds $forbidden"
! grep -qiE '"(TorchSharp|libtorch|MLNetSeq2Seq)' "$serve/Serve.deps.json" || fail "Serve.deps.json lists TorchSharp, libtorch or MLNetSeq2Seq"
[ -f "$serve/libonnxruntime.so" ] || fail "the Serve publish folder lacks libonnxruntime.so"

echo "== Serve: run from its publish folder"
(cd "$serve" && ./Serve "$train/forecast.onnx" "$train/test-windows.bin") || fail "Serve failed (see above): ONNX Runtime did not reproduce Transform's scores, or TorchSharp was loaded"

size_mib() { du -sk "$1" | awk '{ printf "%.0f", $1 / 1024 }'; }
lean="$repo/out/publish-size/lean-linux-x64"
if [ -d "$lean" ]; then
  echo "== publish folder size (MiB): Serve (ONNX Runtime) $(size_mib "$serve"); QuickStart lean TorchSharp, -r linux-x64 (eng/publish-size.sh) $(size_mib "$lean")"
else
  echo "== publish folder size (MiB): Serve (ONNX Runtime) $(size_mib "$serve") (run eng/publish-size.sh first for the TorchSharp app's size beside it)"
fi
echo "deploy onnx: ok"
