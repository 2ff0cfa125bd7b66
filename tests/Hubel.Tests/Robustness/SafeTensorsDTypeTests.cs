using System.Buffers.Binary;
using Hubel.Serialization;
using Hubel.Tensors;

namespace Hubel.Tests.Robustness;

/// <summary>Every safetensors dtype is read (converted exactly) or rejected by name; see docs/ROBUSTNESS.md.</summary>
public class SafeTensorsDTypeTests
{
    private static Tensor ReadOne(string dtype, int count, byte[] data)
    {
        var file = Files.SafeTensors("{" + Files.Entry("t", dtype, $"[{count}]", 0, data.Length) + "}", data.Length);
        data.CopyTo(file, file.Length - data.Length);
        return SafeTensors.LoadBytes(file, "dtypes.safetensors").Tensors["t"];
    }

    private static byte[] Le<T>(T[] values, int size, Action<Span<byte>, T> write)
    {
        var b = new byte[values.Length * size];
        for (int i = 0; i < values.Length; i++) write(b.AsSpan(i * size, size), values[i]);
        return b;
    }

    [Fact]
    public void Half_precision_and_fp8_widen_exactly_to_float32()
    {
        var f16 = ReadOne("F16", 3, Le([(Half)1.5, (Half)(-2), Half.PositiveInfinity], 2, (s, v) => BinaryPrimitives.WriteHalfLittleEndian(s, v)));
        Assert.Equal(DType.Float32, f16.DType);
        Assert.Equal([1.5f, -2f, float.PositiveInfinity], f16.ToFloatArray());
        Assert.Equal([1f, -0.5f], ReadOne("BF16", 2, [0x80, 0x3F, 0x00, 0xBF]).ToFloatArray());   // bfloat16 = the top half of a float32
        Assert.Equal([1f, -448f, 0.015625f], ReadOne("F8_E4M3", 3, [0x38, 0xFE, 0x08]).ToFloatArray());
        Assert.True(float.IsNaN(ReadOne("F8_E4M3", 1, [0x7F]).ToFloatArray()[0]));
        Assert.Equal([1f, 57344f, float.NegativeInfinity], ReadOne("F8_E5M2", 3, [0x3C, 0x7B, 0xFC]).ToFloatArray());
    }

    [Fact]
    public void Integers_and_booleans_widen_exactly_to_float64()
    {
        Assert.Equal([0d, 1d], ReadOne("BOOL", 2, [0, 1]).ToDoubleArray());
        Assert.Equal([255d, 7d], ReadOne("U8", 2, [255, 7]).ToDoubleArray());
        Assert.Equal([-1d, 127d], ReadOne("I8", 2, [0xFF, 0x7F]).ToDoubleArray());
        Assert.Equal([-32768d, 5d], ReadOne("I16", 2, [0x00, 0x80, 5, 0]).ToDoubleArray());
        Assert.Equal([65535d], ReadOne("U16", 1, [0xFF, 0xFF]).ToDoubleArray());
        Assert.Equal([int.MinValue, 9d], ReadOne("I32", 2, Le([int.MinValue, 9], 4, (s, v) => BinaryPrimitives.WriteInt32LittleEndian(s, v))).ToDoubleArray());
        Assert.Equal([uint.MaxValue], ReadOne("U32", 1, [0xFF, 0xFF, 0xFF, 0xFF]).ToDoubleArray());
        Assert.Equal([-(1L << 53), 42d], ReadOne("I64", 2, Le([-(1L << 53), 42L], 8, (s, v) => BinaryPrimitives.WriteInt64LittleEndian(s, v))).ToDoubleArray());
        Assert.Equal([(double)(1UL << 53)], ReadOne("U64", 1, Le([1UL << 53], 8, (s, v) => BinaryPrimitives.WriteUInt64LittleEndian(s, v))).ToDoubleArray());
        Assert.Equal(DType.Float64, ReadOne("U8", 1, [1]).DType);
    }

    [Fact]
    public void U64_beyond_exact_float64_is_rejected_with_the_tensor_and_element()
    {
        var e = Assert.Throws<InvalidDataException>(() => ReadOne("U64", 2, Le([1UL, (1UL << 53) + 1], 8, (s, v) => BinaryPrimitives.WriteUInt64LittleEndian(s, v))));
        Assert.Contains("tensor 't' (U64) holds 9007199254740993 at element 1", e.Message);
        Assert.Contains("dtypes.safetensors", e.Message);
    }
}
