#!/usr/bin/env bash
# Prepares the CUDA check for a GPU host that has PyTorch but no .NET SDK: publishes eng/gpu-check self-contained for
# linux-x64 (no libtorch inside: the host's PyTorch provides it), packs it into out/gpu-check/gpu-check.tar.gz
# (ignored by git; must stay under 60 MiB so it travels with the working tree), and prints the one command to run there.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
out="$repo/out/gpu-check"
rm -rf "$out"
mkdir -p "$out"
dotnet publish "$repo/eng/gpu-check" -c Release -r linux-x64 --self-contained true -o "$out/app" --nologo -v quiet
# libtorch must come from the host: make sure no copy slipped into the publish folder.
if ls "$out/app" | grep -Eq '^libtorch(_cpu|_cuda)?\.so$'; then echo "the publish folder holds a libtorch: it must come from the host" >&2; exit 1; fi
tar -C "$out/app" -czf "$out/gpu-check.tar.gz" .
rm -rf "$out/app"
size=$(stat -c %s "$out/gpu-check.tar.gz")
limit=$((60 * 1024 * 1024))
echo "packed: out/gpu-check/gpu-check.tar.gz ($((size / 1024 / 1024)) MiB of at most 60)"
if [ "$size" -gt "$limit" ]; then echo "the package is larger than 60 MiB" >&2; exit 1; fi
cat <<'CMD'
Run on the GPU host from the repository root (the device tool's working tree; carry out/gpu-check); the JSON lands in $OUT:
  mkdir -p /tmp/gpu-check && tar -xzf out/gpu-check/gpu-check.tar.gz -C /tmp/gpu-check && TORCH_LIB=$(python3 -c "import torch,os;print(os.path.join(os.path.dirname(torch.__file__),'lib'))") && LD_LIBRARY_PATH=$TORCH_LIB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 timeout 420 /tmp/gpu-check/GpuCheck --libtorch $TORCH_LIB --device cuda --out ${OUT:-.}/gpu-check.json
CMD
