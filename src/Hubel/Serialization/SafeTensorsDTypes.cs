using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Hubel.Tensors;

namespace Hubel.Serialization;

/// <summary>Turns the raw little-endian bytes of one safetensors tensor into a Hubel tensor. Hubel computes in
/// float32 and float64 only, so every other dtype the format defines is converted on load where that is exact:
/// F16, BF16, F8_E4M3 and F8_E5M2 widen to float32; BOOL, U8, I8, I16, U16, I32 and U32 to float64; I64 and U64
/// to float64 only when every value is within ±2^53 (beyond that float64 would silently round the integer).</summary>
internal static class SafeTensorsDTypes
{
    /// <summary>Every dtype name this reader accepts, for error messages.</summary>
    public const string Supported = "F64, F32, F16, BF16, F8_E4M3, F8_E5M2, BOOL, U8, I8, I16, U16, I32, U32, I64, U64";

    /// <summary>Bytes per element, or 0 for a dtype name this reader does not know.</summary>
    public static int ItemSize(string dtype) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "F8_E4M3" or "F8_E5M2" or "BOOL" or "U8" or "I8" => 1,
        _ => 0,
    };

    /// <summary>Decodes <paramref name="bytes"/> (exactly numel × ItemSize bytes) as <paramref name="dtype"/>.</summary>
    /// <param name="bad">Makes the error for a value that cannot be converted exactly (names the file).</param>
    public static Tensor Decode(string name, string dtype, ReadOnlySpan<byte> bytes, int[] dims, Func<string, Exception> bad)
    {
        if (dtype == "F32") return Tensor.FromArray(MemoryMarshal.Cast<byte, float>(bytes).ToArray(), dims);
        if (dtype == "F64") return Tensor.FromArray(MemoryMarshal.Cast<byte, double>(bytes).ToArray(), dims);
        byte[] raw = bytes.ToArray();   // the converters below index it from lambdas, which cannot capture a span
        switch (dtype)
        {
            case "F16": return Floats(raw.Length / 2, i => (float)BinaryPrimitives.ReadHalfLittleEndian(raw.AsSpan(2 * i, 2)), dims);
            case "BF16": return Floats(raw.Length / 2, i => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(raw.AsSpan(2 * i, 2)) << 16), dims);
            case "F8_E4M3": return Floats(raw.Length, i => E4M3(raw[i]), dims);
            case "F8_E5M2": return Floats(raw.Length, i => (float)BitConverter.UInt16BitsToHalf((ushort)(raw[i] << 8)), dims);
            case "BOOL":
                return Doubles(raw.Length, i => raw[i] <= 1 ? raw[i] : throw bad($"tensor '{name}' (BOOL) holds byte {raw[i]} at element {i}; booleans are 0 or 1"), dims);
            case "U8": return Doubles(raw.Length, i => raw[i], dims);
            case "I8": return Doubles(raw.Length, i => (sbyte)raw[i], dims);
            case "I16": return Doubles(raw.Length / 2, i => BinaryPrimitives.ReadInt16LittleEndian(raw.AsSpan(2 * i, 2)), dims);
            case "U16": return Doubles(raw.Length / 2, i => BinaryPrimitives.ReadUInt16LittleEndian(raw.AsSpan(2 * i, 2)), dims);
            case "I32": return Doubles(raw.Length / 4, i => BinaryPrimitives.ReadInt32LittleEndian(raw.AsSpan(4 * i, 4)), dims);
            case "U32": return Doubles(raw.Length / 4, i => BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(4 * i, 4)), dims);
            case "I64":
                return Doubles(raw.Length / 8, i =>
                {
                    long v = BinaryPrimitives.ReadInt64LittleEndian(raw.AsSpan(8 * i, 8));
                    return v is >= -MaxExact and <= MaxExact ? v : throw bad(TooLarge(name, dtype, v.ToString(System.Globalization.CultureInfo.InvariantCulture), i));
                }, dims);
            case "U64":
                return Doubles(raw.Length / 8, i =>
                {
                    ulong v = BinaryPrimitives.ReadUInt64LittleEndian(raw.AsSpan(8 * i, 8));
                    return v <= (ulong)MaxExact ? v : throw bad(TooLarge(name, dtype, v.ToString(System.Globalization.CultureInfo.InvariantCulture), i));
                }, dims);
            default: throw bad($"tensor '{name}' has dtype '{dtype}', which Hubel cannot read; supported: {Supported}");
        }
    }

    // 2^53: float64 holds every integer up to it exactly. Compared as an integer: as a double, 2^53 + 1 would round to 2^53 and pass.
    private const long MaxExact = 1L << 53;

    private static string TooLarge(string name, string dtype, string value, int index) =>
        $"tensor '{name}' ({dtype}) holds {value} at element {index}, beyond ±2^53, which float64 cannot hold exactly";

    private delegate float FloatAt(int i);
    private delegate double DoubleAt(int i);

    private static Tensor Floats(int n, FloatAt at, int[] dims)
    {
        var data = new float[n];
        for (int i = 0; i < n; i++) data[i] = at(i);
        return Tensor.FromArray(data, dims);
    }

    private static Tensor Doubles(int n, DoubleAt at, int[] dims)
    {
        var data = new double[n];
        for (int i = 0; i < n; i++) data[i] = at(i);
        return Tensor.FromArray(data, dims);
    }

    /// <summary>OCP FP8 E4M3 ("fn" variant, as in PyTorch's float8_e4m3fn): bias 7, no infinities, S.1111.111 is NaN.</summary>
    private static float E4M3(byte b)
    {
        int sign = b >> 7, exp = (b >> 3) & 0xF, man = b & 0x7;
        float mag = exp == 0xF && man == 0x7 ? float.NaN
            : exp == 0 ? man / 8f * MathF.Pow(2, -6)
            : (1 + man / 8f) * MathF.Pow(2, exp - 7);
        return sign == 1 ? -mag : mag;
    }
}
