using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Psim.IO;

/// <summary>
/// Reads embedded manifest resources straight out of a .NET assembly file with the PE and metadata
/// readers. The assembly is never loaded, so none of its code can run.
/// </summary>
public static class ManifestResourceReader
{
    public static IReadOnlyList<string> List(string assemblyPath)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var md = pe.GetMetadataReader();
        return md.ManifestResources.Select(h => md.GetString(md.GetManifestResource(h).Name)).ToList();
    }

    /// <summary>Returns the bytes of the first resource whose name ends with <paramref name="suffix"/>.</summary>
    public static byte[] Read(string assemblyPath, string suffix)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        if (!pe.HasMetadata || pe.PEHeaders.CorHeader is null)
            throw new PsimFormatException($"{assemblyPath} is not a .NET assembly");
        var md = pe.GetMetadataReader();
        foreach (var h in md.ManifestResources)
        {
            var res = md.GetManifestResource(h);
            if (!md.GetString(res.Name).EndsWith(suffix, StringComparison.Ordinal))
                continue;
            if (!res.Implementation.IsNil)
                throw new PsimFormatException($"resource {suffix} is not embedded in {assemblyPath}");
            var dir = pe.PEHeaders.CorHeader.ResourcesDirectory;
            var block = pe.GetSectionData(dir.RelativeVirtualAddress);
            var reader = block.GetReader((int)res.Offset, dir.Size - (int)res.Offset);
            int length = reader.ReadInt32();
            if (length < 0 || length > reader.RemainingBytes)
                throw new PsimFormatException($"resource {suffix} in {assemblyPath} has an invalid length");
            return reader.ReadBytes(length);
        }
        throw new PsimFormatException($"{assemblyPath} has no resource ending in '{suffix}'");
    }
}
