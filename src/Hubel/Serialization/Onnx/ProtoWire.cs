using System.Buffers.Binary;
using System.Text;

namespace Hubel.Serialization.Onnx;

/// <summary>Protocol-buffer wire types; groups (3, 4) are deprecated and rejected by the reader.</summary>
internal enum WireType { Varint = 0, Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5 }

/// <summary>A bounds-checked protocol-buffer reader over one message's bytes. Every length is checked against
/// what is left before anything is sliced or allocated, so a hostile file can neither read out of range nor make
/// the reader allocate more than the file's own size; malformed input raises <see cref="InvalidDataException"/>.
/// Hand-written instead of generated code so the library stays free of reflection (trimming, NativeAOT).</summary>
internal ref struct ProtoReader(ReadOnlySpan<byte> data, string context)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _pos;

    public readonly bool AtEnd => _pos >= _data.Length;

    public (int Field, WireType Wire) ReadTag()
    {
        ulong tag = ReadVarint();
        ulong field = tag >> 3;
        int wire = (int)(tag & 7);
        if (field == 0 || field > 536_870_911) throw Bad($"invalid field number {field}");
        if (wire is not (0 or 1 or 2 or 5)) throw Bad($"unsupported wire type {wire} for field {field}");
        return ((int)field, (WireType)wire);
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (_pos >= _data.Length) throw Bad("truncated varint");
            byte b = _data[_pos++];
            if (shift == 63 && b > 1) throw Bad("varint longer than 64 bits");
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw Bad("varint longer than 10 bytes");
    }

    public long ReadInt64() => (long)ReadVarint();

    /// <summary>An int32 field (encoded as a sign-extended varint); values outside int range are malformed.</summary>
    public int ReadInt32()
    {
        long v = ReadInt64();
        if (v is < int.MinValue or > int.MaxValue) throw Bad($"int32 field out of range: {v}");
        return (int)v;
    }

    public float ReadFixed32Float() => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadInt32LittleEndian(Take(4)));

    public double ReadFixed64Double() => BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64LittleEndian(Take(8)));

    public ReadOnlySpan<byte> ReadBytes()
    {
        ulong length = ReadVarint();
        if (length > (ulong)(_data.Length - _pos)) throw Bad($"length {length} runs past the end ({_data.Length - _pos} bytes left)");
        return Take((int)length);
    }

    public string ReadString()
    {
        try { return new UTF8Encoding(false, true).GetString(ReadBytes()); }
        catch (DecoderFallbackException e) { throw new InvalidDataException($"{context}: string is not valid UTF-8", e); }
    }

    /// <summary>Reads a repeated int64 field in either encoding (packed bytes or one varint).</summary>
    public void ReadInt64s(WireType wire, List<long> into)
    {
        if (wire == WireType.Varint) { into.Add(ReadInt64()); return; }
        Expect(wire, WireType.LengthDelimited, "repeated int64");
        var inner = new ProtoReader(ReadBytes(), context);
        while (!inner.AtEnd) into.Add(inner.ReadInt64());
    }

    /// <summary>Reads a repeated float field in either encoding (packed bytes or one fixed32).</summary>
    public void ReadFloats(WireType wire, List<float> into)
    {
        if (wire == WireType.Fixed32) { into.Add(ReadFixed32Float()); return; }
        Expect(wire, WireType.LengthDelimited, "repeated float");
        var bytes = ReadBytes();
        if (bytes.Length % 4 != 0) throw Bad($"packed float field of {bytes.Length} bytes is not a multiple of 4");
        for (int i = 0; i < bytes.Length; i += 4) into.Add(BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadInt32LittleEndian(bytes[i..])));
    }

    /// <summary>Reads a repeated double field in either encoding.</summary>
    public void ReadDoubles(WireType wire, List<double> into)
    {
        if (wire == WireType.Fixed64) { into.Add(ReadFixed64Double()); return; }
        Expect(wire, WireType.LengthDelimited, "repeated double");
        var bytes = ReadBytes();
        if (bytes.Length % 8 != 0) throw Bad($"packed double field of {bytes.Length} bytes is not a multiple of 8");
        for (int i = 0; i < bytes.Length; i += 8) into.Add(BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64LittleEndian(bytes[i..])));
    }

    public void Skip(WireType wire)
    {
        switch (wire)
        {
            case WireType.Varint: ReadVarint(); break;
            case WireType.Fixed64: Take(8); break;
            case WireType.Fixed32: Take(4); break;
            default: ReadBytes(); break;
        }
    }

    public readonly void Expect(WireType actual, WireType expected, string field)
    {
        if (actual != expected) throw Bad($"{field} has wire type {(int)actual}, expected {(int)expected}");
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _data.Length - _pos) throw Bad($"field of {count} bytes runs past the end");
        var slice = _data.Slice(_pos, count);
        _pos += count;
        return slice;
    }

    private readonly InvalidDataException Bad(string message) => new($"{context}: {message} (at byte {_pos})");
}

/// <summary>Appends protocol-buffer fields to a growable buffer; nested messages are written to their own writer
/// and copied in with their length (messages here are small next to the tensor bytes they carry).</summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream _buffer = new();

    public byte[] ToArray() => _buffer.ToArray();

    public void Tag(int field, WireType wire) => Varint(((ulong)field << 3) | (uint)wire);

    public void Varint(ulong value)
    {
        while (value >= 0x80) { _buffer.WriteByte((byte)(value | 0x80)); value >>= 7; }
        _buffer.WriteByte((byte)value);
    }

    public void Int64(int field, long value) { Tag(field, WireType.Varint); Varint((ulong)value); }

    public void Float(int field, float value)
    {
        Tag(field, WireType.Fixed32);
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(b, value);
        _buffer.Write(b);
    }

    public void Bytes(int field, ReadOnlySpan<byte> value) { Tag(field, WireType.LengthDelimited); Varint((ulong)value.Length); _buffer.Write(value); }

    public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public void Message(int field, ProtoWriter inner) => Bytes(field, inner._buffer.GetBuffer().AsSpan(0, (int)inner._buffer.Length));

    public void PackedInt64(int field, IReadOnlyList<long> values)
    {
        var inner = new ProtoWriter();
        foreach (var v in values) inner.Varint((ulong)v);
        Message(field, inner);
    }

    public void PackedFloat(int field, IReadOnlyList<float> values)
    {
        var bytes = new byte[checked(values.Count * 4)];
        for (int i = 0; i < values.Count; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        Bytes(field, bytes);
    }
}
