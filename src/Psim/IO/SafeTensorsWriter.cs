using System.Text;
using System.Text.Json;
using Psim.Files;
using static TorchSharp.torch;

namespace Psim.IO;

/// <summary>Writes tensors to a safetensors file atomically (temporary file, then rename).</summary>
public static class SafeTensorsWriter
{
    /// <summary>Refuses weights that hold NaN or ±Inf before psim writes them as a model or adapter (merge, export, poison, finetune).</summary>
    public static void RequireFinite(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        foreach (var (name, t) in tensors)
            if (t.is_floating_point() && NonFiniteCount(t) is > 0 and var bad)
                throw new PsimException(
                    $"{path}: tensor {name} holds {bad:N0} NaN or infinite values; psim does not write non-finite weights"
                );
    }

    /// <summary>How many elements of a tensor are NaN or ±Inf (the one count the reader and the writer of weights use).</summary>
    public static long NonFiniteCount(Tensor t)
    {
        using var scope = NewDisposeScope();
        var finite = isfinite(t.detach());
        return finite.numel() - finite.count_nonzero().item<long>();
    }

    public static void Write(
        string path,
        IEnumerable<KeyValuePair<string, Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null
    )
    {
        var items = tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        var header = new Dictionary<string, object>(StringComparer.Ordinal);
        if (metadata is { Count: > 0 })
            header["__metadata__"] = metadata;
        long offset = 0;
        var prepared = new List<Tensor>(items.Count);
        foreach (var (name, tensor) in items)
        {
            var t = tensor.detach().cpu().contiguous();
            prepared.Add(t);
            long bytes = t.NumberOfElements * t.ElementSize;
            header[name] = new
            {
                dtype = SafeTensorsDType.NameOf(t.dtype),
                shape = t.shape,
                data_offsets = new[] { offset, offset + bytes },
            };
            offset += bytes;
        }
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        int padded = (json.Length + 7) / 8 * 8; // align the data section to 8 bytes, padding with spaces as the reference does
        AtomicFile.Write(path, stream =>
        {
            stream.Write(BitConverter.GetBytes((ulong)padded));
            stream.Write(json);
            for (int i = json.Length; i < padded; i++)
                stream.WriteByte((byte)' ');
            foreach (var t in prepared)
                stream.Write(t.bytes);
        });
    }
}
