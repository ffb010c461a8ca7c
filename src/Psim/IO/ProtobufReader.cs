namespace Psim.IO;

/// <summary>
/// A minimal forward-only reader of the protobuf wire format: enough to walk an ONNX model's
/// graph (nodes and initializers) without a generated schema. Every length is checked against
/// the remaining bytes, so a corrupt file fails with <see cref="PsimFormatException"/>.
/// </summary>
internal ref struct ProtobufReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _pos;

    public ProtobufReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _pos = 0;
    }

    public bool AtEnd => _pos >= _data.Length;

    /// <summary>Reads the next field key: (field number, wire type).</summary>
    public (int Field, int WireType) ReadKey()
    {
        ulong key = ReadVarint();
        return ((int)(key >> 3), (int)(key & 7));
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (_pos >= _data.Length)
                throw new PsimFormatException("protobuf: truncated varint");
            byte b = _data[_pos++];
            result |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
                return result;
        }
        throw new PsimFormatException("protobuf: varint longer than 10 bytes");
    }

    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        ulong len = ReadVarint();
        if (len > (ulong)(_data.Length - _pos))
            throw new PsimFormatException("protobuf: length-delimited field runs past the end of its message");
        var slice = _data.Slice(_pos, (int)len);
        _pos += (int)len;
        return slice;
    }

    public string ReadString() => System.Text.Encoding.UTF8.GetString(ReadLengthDelimited());

    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case 0:
                ReadVarint();
                break;
            case 1:
                Advance(8);
                break;
            case 2:
                ReadLengthDelimited();
                break;
            case 5:
                Advance(4);
                break;
            default:
                throw new PsimFormatException($"protobuf: unsupported wire type {wireType}");
        }
    }

    private void Advance(int n)
    {
        if (n > _data.Length - _pos)
            throw new PsimFormatException("protobuf: truncated fixed-size field");
        _pos += n;
    }
}
