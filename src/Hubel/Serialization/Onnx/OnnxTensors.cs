using System.Buffers.Binary;
using Hubel.Tensors;

namespace Hubel.Serialization.Onnx;

/// <summary>Converts between Hubel tensors and ONNX TensorProto, validating what a file claims: dims non-negative,
/// element count within one array (checked arithmetic), data type float32/float64 (or int64 for shape-like inputs),
/// and exactly as many data bytes or values as the dims require.</summary>
public static class OnnxTensors
{
    public static OnnxTensorProto FromTensor(string name, Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        var proto = new OnnxTensorProto { Name = name, DataType = t.DType == DType.Float64 ? OnnxDataType.Double : OnnxDataType.Float };
        foreach (var d in t.Shape) proto.Dims.Add(d);
        if (t.DType == DType.Float64)
        {
            var values = t.ToDoubleArray();
            var raw = new byte[checked(values.Length * 8)];
            for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(raw.AsSpan(i * 8), values[i]);
            proto.RawData = raw;
        }
        else
        {
            var values = t.ToFloatArray();
            var raw = new byte[checked(values.Length * 4)];
            for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * 4), values[i]);
            proto.RawData = raw;
        }
        return proto;
    }

    public static OnnxTensorProto FromInt64(string name, long[] values)
    {
        var proto = new OnnxTensorProto { Name = name, DataType = OnnxDataType.Int64 };
        proto.Dims.Add(values.Length);
        var raw = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(i * 8), values[i]);
        proto.RawData = raw;
        return proto;
    }

    /// <summary>The validated dims as Hubel's int shape.</summary>
    public static int[] Shape(OnnxTensorProto t)
    {
        if (t.Dims.Count > 8) throw new InvalidDataException($"tensor '{t.Name}': rank {t.Dims.Count} is above the supported 8");
        var shape = new int[t.Dims.Count];
        for (int i = 0; i < shape.Length; i++)
        {
            long d = t.Dims[i];
            if (d is < 0 or > int.MaxValue) throw new InvalidDataException($"tensor '{t.Name}': dimension {i} is {d}; must be in [0, {int.MaxValue}]");
            shape[i] = (int)d;
        }
        try { ShapeMath.Numel(shape); }
        catch (Exception e) when (e is OverflowException or ArgumentException) { throw new InvalidDataException($"tensor '{t.Name}': shape [{string.Join(", ", shape)}] has too many elements", e); }
        return shape;
    }

    /// <summary>A float32/float64 initializer as a Hubel tensor of the same precision.</summary>
    public static Tensor ToTensor(OnnxTensorProto t)
    {
        if (t.External) throw new InvalidDataException($"tensor '{t.Name}': external data is not supported; embed the weights in the file");
        var shape = Shape(t);
        int n = checked((int)ShapeMath.Numel(shape));
        switch (t.DataType)
        {
            case OnnxDataType.Float:
                if (t.RawData is { } raw)
                {
                    CheckBytes(t, raw.Length, n, 4);
                    var f = new float[n];
                    for (int i = 0; i < n; i++) f[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan(i * 4));
                    return Tensor.FromArray(f, shape);
                }
                CheckCount(t, t.FloatData.Count, n);
                return Tensor.FromArray(t.FloatData.ToArray(), shape);
            case OnnxDataType.Double:
                if (t.RawData is { } rawD)
                {
                    CheckBytes(t, rawD.Length, n, 8);
                    var d = new double[n];
                    for (int i = 0; i < n; i++) d[i] = BinaryPrimitives.ReadDoubleLittleEndian(rawD.AsSpan(i * 8));
                    return Tensor.FromArray(d, shape);
                }
                CheckCount(t, t.DoubleData.Count, n);
                return Tensor.FromArray(t.DoubleData.ToArray(), shape);
            default:
                throw new InvalidDataException($"tensor '{t.Name}': data type {t.RawDataTypeNumber} ({t.DataType}) is not supported as a weight; only float32 (1) and float64 (11)");
        }
    }

    /// <summary>An int64 (or int32) constant such as a Reshape shape or Pad amounts.</summary>
    public static long[] ToInt64(OnnxTensorProto t)
    {
        if (t.External) throw new InvalidDataException($"tensor '{t.Name}': external data is not supported");
        var shape = Shape(t);
        int n = checked((int)ShapeMath.Numel(shape));
        if (n > 1 << 16) throw new InvalidDataException($"tensor '{t.Name}': {n} integers is too many for a shape-like input");
        if (t.DataType == OnnxDataType.Int64)
        {
            if (t.RawData is { } raw)
            {
                CheckBytes(t, raw.Length, n, 8);
                var v = new long[n];
                for (int i = 0; i < n; i++) v[i] = BinaryPrimitives.ReadInt64LittleEndian(raw.AsSpan(i * 8));
                return v;
            }
            CheckCount(t, t.Int64Data.Count, n);
            return [.. t.Int64Data];
        }
        if (t.DataType == OnnxDataType.Int32)
        {
            if (t.RawData is { } raw)
            {
                CheckBytes(t, raw.Length, n, 4);
                var v = new long[n];
                for (int i = 0; i < n; i++) v[i] = BinaryPrimitives.ReadInt32LittleEndian(raw.AsSpan(i * 4));
                return v;
            }
            CheckCount(t, t.Int32Data.Count, n);
            return [.. t.Int32Data];
        }
        throw new InvalidDataException($"tensor '{t.Name}': expected an int64 tensor, got data type {t.RawDataTypeNumber}");
    }

    private static void CheckBytes(OnnxTensorProto t, int bytes, int n, int size)
    {
        if ((long)n * size != bytes)
            throw new InvalidDataException($"tensor '{t.Name}': raw_data has {bytes} bytes but dims [{string.Join(", ", t.Dims)}] need {(long)n * size}");
    }

    private static void CheckCount(OnnxTensorProto t, int count, int n)
    {
        if (count != n) throw new InvalidDataException($"tensor '{t.Name}': {count} values stored but dims [{string.Join(", ", t.Dims)}] need {n}");
    }
}
