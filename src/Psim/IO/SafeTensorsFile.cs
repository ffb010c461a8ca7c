using System.Text;
using System.Text.Json;
using Psim.Files;
using static TorchSharp.torch;

namespace Psim.IO;

/// <summary>One tensor entry of a safetensors header. Offsets are relative to the start of the data section.</summary>
public sealed record SafeTensorsEntry(string Name, string DType, long[] Shape, long Begin, long End)
{
    public long ByteCount => End - Begin;
}

/// <summary>
/// Reads a safetensors file: 8-byte little-endian header length, a JSON header, then raw
/// little-endian data. Every header field is validated before any tensor byte is read; a bad
/// file raises <see cref="PsimFormatException"/> naming the file and the problem.
/// Never executes anything from the file and never allocates more than the file holds.
/// </summary>
public sealed class SafeTensorsFile
{
    /// <summary>Headers larger than this are refused (the format's own reference limit is 100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>
    /// The most values a weights file may hold: the largest model psim builds (<see cref="Models.BertConfig.MaxParameters"/>)
    /// plus a quarter for what checkpoints carry besides (a pre-training head). A larger file (a sparse 2.8 GB file,
    /// say) is refused when opened, before any tensor is read.
    /// </summary>
    public const long MaxElements = Models.BertConfig.MaxParameters / 4 * 5;

    public string Path { get; }
    public IReadOnlyDictionary<string, SafeTensorsEntry> Entries { get; }

    /// <summary>The number of values over every tensor.</summary>
    public long ElementCount { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }
    private readonly long _dataStart;

    /// <summary>For a sharded checkpoint: the shard that holds each tensor (null for a single file).</summary>
    private readonly IReadOnlyDictionary<string, SafeTensorsFile>? _shards;

    private SafeTensorsFile(
        string path,
        Dictionary<string, SafeTensorsEntry> entries,
        Dictionary<string, string> metadata,
        long dataStart,
        IReadOnlyDictionary<string, SafeTensorsFile>? shards = null
    )
    {
        Path = path;
        Entries = entries;
        Metadata = metadata;
        _dataStart = dataStart;
        _shards = shards;
        ElementCount = entries.Values.Sum(e => e.Shape.Aggregate(1L, (a, d) => a * d)); // each product is checked against its byte range
        if (ElementCount > MaxElements)
            throw new PsimFormatException(
                $"{path}: the tensors hold {ElementCount:N0} values; psim reads weights files of up to {MaxElements:N0} (its largest model has {Models.BertConfig.MaxParameters:N0} parameters)"
            );
    }

    /// <summary>
    /// A sharded checkpoint (<c>model.safetensors.index.json</c> with its <c>weight_map</c>, as transformers
    /// writes it) read as one file: every shard is validated, every tensor must sit in exactly the shard
    /// the index names, and no shard may hold a tensor the index does not list.
    /// </summary>
    public static SafeTensorsFile OpenSharded(string indexPath)
    {
        var root = Json.ParseObject(indexPath);
        if (root["weight_map"] is not System.Text.Json.Nodes.JsonObject map || map.Count == 0)
            throw new PsimFormatException($"{indexPath}: no \"weight_map\" object");
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(indexPath))!;
        var files = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
        var shardOf = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
        var entries = new Dictionary<string, SafeTensorsEntry>(StringComparer.Ordinal);
        foreach (var (name, node) in map)
        {
            var file = node is System.Text.Json.Nodes.JsonValue v && v.TryGetValue(out string? f) ? f : null;
            if (file is null || file != System.IO.Path.GetFileName(file) || !file.EndsWith(".safetensors", StringComparison.Ordinal))
                throw new PsimFormatException(
                    $"{indexPath}: weight_map[\"{name}\"] must name a .safetensors file in the same folder, not {node?.ToJsonString() ?? "null"}"
                );
            if (!files.TryGetValue(file, out var shard))
                files[file] = shard = Open(System.IO.Path.Combine(dir, file));
            if (!shard.Entries.TryGetValue(name, out var entry))
                throw new PsimFormatException($"{indexPath}: weight_map puts '{name}' in {file}, which does not hold it");
            entries[name] = entry;
            shardOf[name] = shard;
        }
        foreach (var (file, shard) in files)
            if (shard.Entries.Keys.FirstOrDefault(k => !shardOf.TryGetValue(k, out var s) || s != shard) is { } stray)
                throw new PsimFormatException(
                    $"{System.IO.Path.Combine(dir, file)}: tensor '{stray}' is not listed for this shard in {indexPath}"
                );
        var metadata = files.Values.First().Metadata.ToDictionary(kv => kv.Key, kv => kv.Value);
        return new SafeTensorsFile(indexPath, entries, metadata, 0, shardOf);
    }

    public static SafeTensorsFile Open(string path)
    {
        RegularFile.Require(path);
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        long fileLength = fs.Length;
        string Where(string what) => $"{path}: not a valid safetensors file: {what}";
        if (fileLength < 8)
            throw new PsimFormatException(Where($"the file is {fileLength} bytes, shorter than the 8-byte header length"));

        Span<byte> lenBytes = stackalloc byte[8];
        fs.ReadExactly(lenBytes);
        ulong headerLen = BitConverter.ToUInt64(lenBytes);
        if (headerLen > MaxHeaderBytes)
            throw new PsimFormatException(Where($"the header claims {headerLen:N0} bytes, over the {MaxHeaderBytes:N0}-byte limit"));
        if ((long)headerLen > fileLength - 8)
            throw new PsimFormatException(
                Where($"the header claims {headerLen:N0} bytes but only {fileLength - 8:N0} follow the length field (truncated file?)")
            );
        if (headerLen < 2)
            throw new PsimFormatException(Where("the header is empty"));

        var header = new byte[headerLen];
        fs.ReadExactly(header);
        long dataStart = 8 + (long)headerLen;
        long dataLength = fileLength - dataStart;
        var (entries, metadata) = ParseHeader(header, dataLength, Where);
        return new SafeTensorsFile(path, entries, metadata, dataStart);
    }

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    private static (Dictionary<string, SafeTensorsEntry>, Dictionary<string, string>) ParseHeader(
        byte[] header,
        long dataLength,
        Func<string, string> where
    )
    {
        JsonDocument doc;
        try
        {
            var text = StrictUtf8.GetString(header).TrimEnd(' ');
            doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 8 });
            try
            {
                Files.Json.RequireWellFormedStrings(doc.RootElement, "header");
            }
            catch (PsimFormatException)
            {
                doc.Dispose();
                throw new PsimFormatException(where("the header has a string that is not well-formed UTF-16 (a lone surrogate escape)"));
            }
        }
        catch (Exception e) when (e is JsonException or ArgumentException or DecoderFallbackException)
        {
            throw new PsimFormatException(
                where(e is DecoderFallbackException ? "the header is not valid UTF-8" : $"the header is not valid JSON ({e.Message})")
            );
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new PsimFormatException(where("the header is not a JSON object"));
            var entries = new Dictionary<string, SafeTensorsEntry>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object)
                        throw new PsimFormatException(where("__metadata__ is not an object"));
                    foreach (var m in prop.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String)
                            throw new PsimFormatException(where($"__metadata__ value '{m.Name}' is not a string"));
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                if (entries.ContainsKey(prop.Name))
                    throw new PsimFormatException(where($"tensor '{prop.Name}' appears twice"));
                entries[prop.Name] = ParseEntry(prop.Name, prop.Value, where);
            }
            CheckLayout(entries.Values, dataLength, where);
            return (entries, metadata);
        }
    }

    private static SafeTensorsEntry ParseEntry(string name, JsonElement e, Func<string, string> where)
    {
        string W(string what) => where($"tensor '{name}': {what}");
        if (e.ValueKind != JsonValueKind.Object)
            throw new PsimFormatException(W("entry is not an object"));
        if (!e.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String)
            throw new PsimFormatException(W("missing or non-string 'dtype'"));
        string dtype = dt.GetString()!;
        if (!SafeTensorsDType.TryGet(dtype, out int size, out _))
            throw new PsimFormatException(W($"unknown dtype '{dtype}' (supported: {string.Join(", ", SafeTensorsDType.Names)})"));
        if (!e.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array)
            throw new PsimFormatException(W("missing or non-array 'shape'"));
        var shape = new List<long>();
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long v) || v < 0)
                throw new PsimFormatException(W("shape holds a value that is not a non-negative integer"));
            shape.Add(v);
        }
        if (shape.Count > 16)
            throw new PsimFormatException(W($"shape has {shape.Count} dimensions"));
        if (!e.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw new PsimFormatException(W("missing 'data_offsets' or it is not a pair [begin, end]"));
        if (
            off[0].ValueKind != JsonValueKind.Number
            || off[1].ValueKind != JsonValueKind.Number
            || !off[0].TryGetInt64(out long begin)
            || !off[1].TryGetInt64(out long end)
            || begin < 0
            || end < begin
        )
            throw new PsimFormatException(W("data_offsets must be integers with 0 <= begin <= end"));
        long expected;
        try
        {
            expected = size;
            foreach (var d in shape)
                expected = checked(expected * d);
        }
        catch (OverflowException)
        {
            throw new PsimFormatException(W($"shape [{string.Join(", ", shape)}] is too large"));
        }
        if (end - begin != expected)
            throw new PsimFormatException(
                W($"shape [{string.Join(", ", shape)}] of {dtype} needs {expected:N0} bytes but data_offsets span {end - begin:N0}")
            );
        return new SafeTensorsEntry(name, dtype, shape.ToArray(), begin, end);
    }

    /// <summary>As the reference implementation: tensors tile the data section exactly, without gaps or overlaps.</summary>
    private static void CheckLayout(IEnumerable<SafeTensorsEntry> entries, long dataLength, Func<string, string> where)
    {
        long cursor = 0;
        SafeTensorsEntry? prev = null;
        foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.End > dataLength)
                throw new PsimFormatException(
                    where(
                        $"tensor '{e.Name}': data_offsets [{e.Begin}, {e.End}] run past the {dataLength:N0} data bytes in the file (truncated file?)"
                    )
                );
            if (e.Begin < cursor)
                throw new PsimFormatException(
                    where($"tensors '{prev!.Name}' and '{e.Name}' overlap ([{prev.Begin}, {prev.End}] and [{e.Begin}, {e.End}])")
                );
            if (e.Begin > cursor)
                throw new PsimFormatException(where($"bytes [{cursor}, {e.Begin}) before tensor '{e.Name}' belong to no tensor"));
            cursor = e.End;
            prev = e;
        }
        if (cursor != dataLength)
            throw new PsimFormatException(where($"the tensors cover {cursor:N0} bytes but the data section holds {dataLength:N0}"));
    }

    /// <summary>Reads one tensor into a new CPU tensor of its stored dtype.</summary>
    public Tensor Read(string name)
    {
        if (_shards?.GetValueOrDefault(name) is { } shard)
            return shard.Read(name);
        if (!Entries.TryGetValue(name, out var e))
            throw new PsimException($"{Path}: no tensor named '{name}'");
        SafeTensorsDType.TryGet(e.DType, out _, out var type);
        var t = empty(e.Shape, type);
        if (e.ByteCount == 0)
            return t;
        using var fs = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read);
        fs.Seek(_dataStart + e.Begin, SeekOrigin.Begin);
        var buffer = new byte[e.ByteCount];
        fs.ReadExactly(buffer);
        t.bytes = buffer;
        return t;
    }

    /// <summary>Streams a tensor's raw little-endian bytes to <paramref name="sink"/> without building a tensor.</summary>
    public void CopyRaw(string name, Action<ReadOnlySpan<byte>> sink)
    {
        if (_shards?.GetValueOrDefault(name) is { } shard)
        {
            shard.CopyRaw(name, sink);
            return;
        }
        var e = Entries[name];
        using var fs = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read);
        fs.Seek(_dataStart + e.Begin, SeekOrigin.Begin);
        var buffer = new byte[Math.Min(1 << 20, Math.Max(1, e.ByteCount))];
        long left = e.ByteCount;
        while (left > 0)
        {
            int n = fs.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (n <= 0)
                throw new PsimFormatException($"{Path}: unexpected end of file in tensor '{name}'");
            sink(buffer.AsSpan(0, n));
            left -= n;
        }
    }

    /// <summary>
    /// Reads a tensor that must be model weights: a floating-point dtype and every value finite. An integer
    /// or bool tensor where a weight belongs, or a NaN/Inf anywhere, is refused by name: such a model
    /// would give plausible-looking metrics (an all-NaN classifier predicts one class: 100% "ASR").
    /// </summary>
    public Tensor ReadParameter(string name)
    {
        if (!Entries.TryGetValue(name, out var e))
            throw new PsimException($"{Path}: no tensor named '{name}'");
        if (!SafeTensorsDType.IsFloat(e.DType))
            throw new PsimFormatException(
                $"{Path}: tensor '{name}' is {e.DType}; model weights must be floating point (F32, F16, BF16, F64)"
            );
        var t = Read(name);
        long bad = SafeTensorsWriter.NonFiniteCount(t);
        if (bad > 0)
        {
            t.Dispose();
            throw new PsimFormatException(
                $"{Path}: tensor '{name}' holds {bad:N0} NaN or infinite values; psim refuses a model whose weights are not all finite"
            );
        }
        return t;
    }

    /// <summary>Reads every tensor as model weights (<see cref="ReadParameter"/>). The caller owns the tensors.</summary>
    public Dictionary<string, Tensor> ReadAllParameters()
    {
        var all = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var k in Entries.Keys)
                all[k] = ReadParameter(k);
            return all;
        }
        catch
        {
            foreach (var t in all.Values)
                t.Dispose();
            throw;
        }
    }
}
