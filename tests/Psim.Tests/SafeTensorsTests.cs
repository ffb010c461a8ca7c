using System.Text;
using Psim.IO;
using static TorchSharp.torch;

namespace Psim.Tests;

public class SafeTensorsTests
{
    private static string WriteRaw(string header, byte[] data, ulong? claimedLength = null)
    {
        var path = Path.Combine(TestModels.TempDir(), "model.safetensors");
        var h = Encoding.UTF8.GetBytes(header);
        using var fs = File.Create(path);
        fs.Write(BitConverter.GetBytes(claimedLength ?? (ulong)h.Length));
        fs.Write(h);
        fs.Write(data);
        return path;
    }

    private static string Error(string path) => Assert.Throws<PsimFormatException>(() => SafeTensorsFile.Open(path)).Message;

    [Fact]
    public void Round_trip_keeps_values_of_every_dtype()
    {
        var dir = TestModels.TempDir();
        var path = Path.Combine(dir, "t.safetensors");
        var tensors = new Dictionary<string, Tensor>
        {
            ["a.f32"] = tensor(new float[] { 1.5f, -2.25f, 3e-8f, float.MaxValue }, [2, 2]),
            ["b.f16"] = tensor(new float[] { 0.5f, -1, 65504 }).to(ScalarType.Float16),
            ["c.bf16"] = tensor(new float[] { 0.5f, -1, 3.0e38f }).to(ScalarType.BFloat16),
            ["d.i64"] = tensor(new long[] { long.MinValue, 0, long.MaxValue }),
            ["e.empty"] = zeros(0, 3),
        };
        SafeTensorsWriter.Write(path, tensors, new Dictionary<string, string> { ["format"] = "pt" });
        var file = SafeTensorsFile.Open(path);
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal("BF16", file.Entries["c.bf16"].DType);
        Assert.Equal("F16", file.Entries["b.f16"].DType);
        foreach (var (k, t) in tensors)
        {
            using var back = file.Read(k);
            Assert.Equal(t.dtype, back.dtype);
            Assert.Equal(t.shape, back.shape);
            Assert.True(t.Same(back), k);
        }
        // header is padded so that the data starts on an 8-byte boundary
        var len = BitConverter.ToUInt64(File.ReadAllBytes(path), 0);
        Assert.Equal(0UL, len % 8);
    }

    [Fact]
    public void Truncated_file_is_refused() => Assert.Contains("shorter than the 8-byte header length", Error(WriteBytes([1, 2, 3])));

    private static string WriteBytes(byte[] bytes)
    {
        var path = Path.Combine(TestModels.TempDir(), "x.safetensors");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Header_longer_than_file_is_refused() => Assert.Contains("only", Error(WriteRaw("{}", [], claimedLength: 5000)));

    [Fact]
    public void Absurd_header_size_is_refused_without_allocating() =>
        Assert.Contains("over the 100,000,000-byte limit", Error(WriteRaw("{}", [], claimedLength: 1UL << 60)));

    [Fact]
    public void Invalid_json_is_refused() => Assert.Contains("not valid JSON", Error(WriteRaw("{\"a\": [", new byte[4])));

    [Fact]
    public void Non_object_header_is_refused() => Assert.Contains("not a JSON object", Error(WriteRaw("[1,2]", [])));

    [Fact]
    public void Unknown_dtype_is_refused() =>
        Assert.Contains(
            "unknown dtype 'F99'",
            Error(WriteRaw("{\"w\":{\"dtype\":\"F99\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]))
        );

    [Fact]
    public void Offsets_past_the_data_are_refused() =>
        Assert.Contains(
            "run past the 4 data bytes",
            Error(WriteRaw("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[4]))
        );

    [Fact]
    public void Overlapping_offsets_are_refused() =>
        Assert.Contains(
            "overlap",
            Error(
                WriteRaw(
                    "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                    new byte[12]
                )
            )
        );

    [Fact]
    public void Gap_between_tensors_is_refused() =>
        Assert.Contains(
            "belong to no tensor",
            Error(WriteRaw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]))
        );

    [Fact]
    public void Shape_that_does_not_match_byte_count_is_refused() =>
        Assert.Contains(
            "needs 12 bytes but data_offsets span 8",
            Error(WriteRaw("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]))
        );

    [Fact]
    public void Overflowing_shape_is_refused() =>
        Assert.Contains(
            "too large",
            Error(
                WriteRaw(
                    "{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4611686018427387904],\"data_offsets\":[0,8]}}",
                    new byte[8]
                )
            )
        );

    [Fact]
    public void Negative_or_fractional_dims_are_refused() =>
        Assert.Contains(
            "non-negative integer",
            Error(WriteRaw("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new byte[4]))
        );

    [Fact]
    public void Trailing_bytes_after_the_last_tensor_are_refused() =>
        Assert.Contains(
            "cover 4 bytes but the data section holds 8",
            Error(WriteRaw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[8]))
        );

    [Fact]
    public void Duplicate_tensor_names_are_refused() =>
        Assert.Contains(
            "appears twice",
            Error(
                WriteRaw(
                    "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                    new byte[8]
                )
            )
        );
}
