using System.Security.Cryptography;
using System.Text;

namespace Psim.IO;

/// <summary>
/// The identity of a checkpoint's weights: SHA-256 over every tensor's name, dtype, shape and bytes,
/// in name order. Independent of header layout, so the same weights written twice match.
/// </summary>
public static class WeightsFingerprint
{
    public static string Compute(SafeTensorsFile file)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var name in file.Entries.Keys.Order(StringComparer.Ordinal))
        {
            var e = file.Entries[name];
            h.AppendData(Encoding.UTF8.GetBytes($"{name}\0{e.DType}\0{string.Join(",", e.Shape)}\0"));
            file.CopyRaw(name, span => h.AppendData(span));
        }
        return "sha256:" + Convert.ToHexStringLower(h.GetHashAndReset());
    }
}
