#!/usr/bin/env bash
# Packs the library and proves the package works for a user: a throwaway console app outside the repository
# references MLNetSeq2Seq from a local folder source plus libtorch-cpu-linux-x64, and `dotnet run` trains a step.
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

mkdir -p "$work/app"
cat > "$work/app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local-feed" value="$work/feed" />
  </packageSources>
</configuration>
XML
cat > "$work/app/SmokeApp.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="MLNetSeq2Seq" Version="$version" />
    <PackageReference Include="libtorch-cpu-linux-x64" Version="2.10.0" />
  </ItemGroup>
</Project>
XML
cp "$repo/eng/package-smoke/Program.cs" "$work/app/Program.cs"

output="$(cd "$work/app" && dotnet run 2>&1)" || { echo "$output" >&2; exit 1; }
echo "$output"
echo "$output" | grep -q "^package smoke: ok" || { echo "package smoke app did not report success" >&2; exit 1; }
# The package's lean targets reached the app: libtorch's Python bindings are not in its output, libtorch_cpu.so is.
[ -n "$(find "$work/app/bin" -name libtorch_cpu.so)" ] || { echo "package smoke app output lacks libtorch_cpu.so" >&2; exit 1; }
[ -z "$(find "$work/app/bin" -name libtorch_python.so)" ] || { echo "package smoke app output holds libtorch_python.so: the lean targets did not apply" >&2; exit 1; }
