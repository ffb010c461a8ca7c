using System.Runtime.InteropServices;

namespace Psim.IO;

/// <summary>An ONNX initializer: a named constant tensor of the graph (float32 only is kept as data).</summary>
public sealed record OnnxInitializer(string Name, int DataType, long[] Dims, float[]? FloatData, long[]? Int64Data);

/// <summary>An ONNX graph node: its operator, inputs and outputs, in graph order.</summary>
public sealed record OnnxNode(string OpType, string Name, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs);

/// <summary>
/// The parts of an ONNX model (ModelProto → GraphProto) psim needs to lift weights out of it:
/// the nodes in graph order and the initializers. Reads protobuf directly; no code in the file runs.
/// </summary>
public sealed class OnnxGraph
{
    public const int Float = 1,
        Int64 = 7;

    public IReadOnlyList<OnnxNode> Nodes { get; }
    public IReadOnlyDictionary<string, OnnxInitializer> Initializers { get; }

    private OnnxGraph(List<OnnxNode> nodes, Dictionary<string, OnnxInitializer> inits)
    {
        Nodes = nodes;
        Initializers = inits;
    }

    public static OnnxGraph Parse(ReadOnlySpan<byte> model)
    {
        var r = new ProtobufReader(model);
        while (!r.AtEnd)
        {
            var (field, wire) = r.ReadKey();
            if (field == 7 && wire == 2)
                return ParseGraph(r.ReadLengthDelimited()); // ModelProto.graph
            r.Skip(wire);
        }
        throw new PsimFormatException("ONNX: the model has no graph");
    }

    private static OnnxGraph ParseGraph(ReadOnlySpan<byte> graph)
    {
        var nodes = new List<OnnxNode>();
        var inits = new Dictionary<string, OnnxInitializer>(StringComparer.Ordinal);
        var r = new ProtobufReader(graph);
        while (!r.AtEnd)
        {
            var (field, wire) = r.ReadKey();
            if (field == 1 && wire == 2)
                nodes.Add(ParseNode(r.ReadLengthDelimited()));
            else if (field == 5 && wire == 2)
            {
                var t = ParseTensor(r.ReadLengthDelimited());
                inits[t.Name] = t;
            }
            else
                r.Skip(wire);
        }
        return new OnnxGraph(nodes, inits);
    }

    private static OnnxNode ParseNode(ReadOnlySpan<byte> node)
    {
        var inputs = new List<string>();
        var outputs = new List<string>();
        string name = "",
            op = "";
        var r = new ProtobufReader(node);
        while (!r.AtEnd)
        {
            var (field, wire) = r.ReadKey();
            switch (field)
            {
                case 1 when wire == 2:
                    inputs.Add(r.ReadString());
                    break;
                case 2 when wire == 2:
                    outputs.Add(r.ReadString());
                    break;
                case 3 when wire == 2:
                    name = r.ReadString();
                    break;
                case 4 when wire == 2:
                    op = r.ReadString();
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }
        return new OnnxNode(op, name, inputs, outputs);
    }

    private static OnnxInitializer ParseTensor(ReadOnlySpan<byte> tensor)
    {
        var dims = new List<long>();
        var floats = new List<float>();
        var longs = new List<long>();
        int dataType = 0;
        string name = "";
        ReadOnlySpan<byte> raw = default;
        bool hasRaw = false;
        var r = new ProtobufReader(tensor);
        while (!r.AtEnd)
        {
            var (field, wire) = r.ReadKey();
            switch (field)
            {
                case 1 when wire == 0:
                    dims.Add((long)r.ReadVarint());
                    break;
                case 1 when wire == 2:
                {
                    var p = new ProtobufReader(r.ReadLengthDelimited());
                    while (!p.AtEnd)
                        dims.Add((long)p.ReadVarint());
                    break;
                }
                case 2 when wire == 0:
                    dataType = (int)r.ReadVarint();
                    break;
                case 4 when wire == 2:
                    floats.AddRange(MemoryMarshal.Cast<byte, float>(r.ReadLengthDelimited()).ToArray());
                    break;
                case 7 when wire == 2:
                {
                    var p = new ProtobufReader(r.ReadLengthDelimited());
                    while (!p.AtEnd)
                        longs.Add((long)p.ReadVarint());
                    break;
                }
                case 8 when wire == 2:
                    name = r.ReadString();
                    break;
                case 9 when wire == 2:
                    raw = r.ReadLengthDelimited();
                    hasRaw = true;
                    break;
                case 13 or 14:
                    throw new PsimFormatException("ONNX: initializers with external data are not supported");
                default:
                    r.Skip(wire);
                    break;
            }
        }
        long count = 1;
        foreach (var d in dims)
            count = checked(count * d);
        if (dataType == Float)
        {
            float[] data = hasRaw ? MemoryMarshal.Cast<byte, float>(raw).ToArray() : floats.ToArray();
            if (data.LongLength != count)
                throw new PsimFormatException(
                    $"ONNX: initializer '{name}' holds {data.LongLength} floats for shape [{string.Join(",", dims)}]"
                );
            return new OnnxInitializer(name, dataType, dims.ToArray(), data, null);
        }
        if (dataType == Int64)
        {
            long[] data = hasRaw ? MemoryMarshal.Cast<byte, long>(raw).ToArray() : longs.ToArray();
            if (data.LongLength != count)
                throw new PsimFormatException(
                    $"ONNX: initializer '{name}' holds {data.LongLength} int64 values for shape [{string.Join(",", dims)}]"
                );
            return new OnnxInitializer(name, dataType, dims.ToArray(), null, data);
        }
        return new OnnxInitializer(name, dataType, dims.ToArray(), null, null);
    }
}
