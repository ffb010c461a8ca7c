using static TorchSharp.torch;

namespace Psim.IO;

/// <summary>The safetensors dtype names psim reads and writes, with their sizes and torch types.</summary>
public static class SafeTensorsDType
{
    private static readonly Dictionary<string, (int Size, ScalarType Type)> Known = new(StringComparer.Ordinal)
    {
        ["F64"] = (8, ScalarType.Float64),
        ["F32"] = (4, ScalarType.Float32),
        ["F16"] = (2, ScalarType.Float16),
        ["BF16"] = (2, ScalarType.BFloat16),
        ["I64"] = (8, ScalarType.Int64),
        ["I32"] = (4, ScalarType.Int32),
        ["I16"] = (2, ScalarType.Int16),
        ["I8"] = (1, ScalarType.Int8),
        ["U8"] = (1, ScalarType.Byte),
        ["BOOL"] = (1, ScalarType.Bool),
    };

    public static bool TryGet(string name, out int size, out ScalarType type)
    {
        if (Known.TryGetValue(name, out var v))
        {
            size = v.Size;
            type = v.Type;
            return true;
        }
        size = 0;
        type = default;
        return false;
    }

    public static string NameOf(ScalarType type) =>
        Known.FirstOrDefault(kv => kv.Value.Type == type).Key
        ?? throw new PsimException($"tensors of type {type} cannot be written to safetensors by psim");

    public static IEnumerable<string> Names => Known.Keys;

    public static bool IsFloat(string name) => name is "F64" or "F32" or "F16" or "BF16";
}
