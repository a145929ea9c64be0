using Google.Protobuf;

namespace Flow.Neural.Internal.Onnx;

/// <summary>
/// Writes protobuf messages field by field with Google.Protobuf's <see cref="CodedOutputStream"/>
/// (which does all the wire encoding); nested messages are written to their own buffer first so
/// their length prefix is known.
/// </summary>
internal sealed class ProtoWriter : IDisposable
{
    private readonly MemoryStream _buffer = new();
    private readonly CodedOutputStream _output;

    internal ProtoWriter()
    {
        _output = new CodedOutputStream(_buffer, leaveOpen: true);
    }

    internal ProtoWriter Int64(int field, long value)
    {
        _output.WriteTag(field, WireFormat.WireType.Varint);
        _output.WriteInt64(value);
        return this;
    }

    internal ProtoWriter Int32(int field, int value)
    {
        _output.WriteTag(field, WireFormat.WireType.Varint);
        _output.WriteInt32(value);
        return this;
    }

    internal ProtoWriter Float(int field, float value)
    {
        _output.WriteTag(field, WireFormat.WireType.Fixed32);
        _output.WriteFloat(value);
        return this;
    }

    internal ProtoWriter String(int field, string value)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteString(value);
        return this;
    }

    internal ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteBytes(ByteString.CopyFrom(value));
        return this;
    }

    internal ProtoWriter Message(int field, Action<ProtoWriter> write)
    {
        using var nested = new ProtoWriter();
        write(nested);
        return Bytes(field, nested.ToArray());
    }

    public void Dispose()
    {
        _output.Dispose();
        _buffer.Dispose();
    }

    internal byte[] ToArray()
    {
        _output.Flush();
        return _buffer.ToArray();
    }
}
