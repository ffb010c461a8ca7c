#!/usr/bin/env bash
# Packs psim (the .NET tool "psim" and the library "Psim.Core") and proves both packages work from a local feed:
# the tool installs into a tool path and runs a command that loads LibTorch; a new console project references
# Psim.Core, calls a workflow and a tensor operation. docs/packaging.md.
#   build/pack.sh [OUT_DIR]      (default: artifacts/packages; a scratch folder is made under /tmp)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$repo/artifacts/packages}"
scratch="$(mktemp -d /tmp/psim-pack-check.XXXXXX)"
trap 'rm -rf "$scratch"' EXIT
rm -rf "$out"; mkdir -p "$out"
dotnet pack "$repo/Psim.sln" -c Release -o "$out" -v quiet -nologo
ls -la "$out"
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$repo/Directory.Build.props")

# a package of this version cached by an earlier run would be used instead of the new one
cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
rm -rf "$cache/psim/$version" "$cache/psim.core/$version"

# the tool
dotnet tool install --tool-path "$scratch/tools" --add-source "$out" --version "$version" psim >/dev/null
"$scratch/tools/psim" --version
"$scratch/tools/psim" model forward --model minilm --text "a fine film" 2>/dev/null | tail -1

# the library from a C# project
mkdir -p "$scratch/consumer" && cd "$scratch/consumer"
cat >consumer.csproj <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>
  <ItemGroup><PackageReference Include="Psim.Core" Version="$version" /></ItemGroup>
</Project>
XML
cat >Program.cs <<'CS'
using Psim.Workflows;
var ids = Tokenization.Run("minilm", ["A fine film."], _ => { })[0].Ids;
if (!ids.SequenceEqual([1037, 2986, 2143, 1012])) throw new Exception($"ids {string.Join(' ', ids)}");
if (TorchSharp.torch.ones(3).sum().item<float>() != 3) throw new Exception("LibTorch");
Console.WriteLine("Psim.Core: workflow and LibTorch work from the package");
CS
cat >nuget.config <<XML
<configuration><packageSources><add key="psim-local" value="$out" /></packageSources></configuration>
XML
dotnet run -v quiet 2>&1 | grep -v NU1603
echo "packages OK: $(ls "$out")"
