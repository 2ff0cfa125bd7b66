using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Hubel.Backends.Cpu;

/// <summary>
/// AVX2 float32 versions of <see cref="WinogradTransforms4"/>' tile transforms, eight tiles of a row per vector. Tile tx
/// reads columns 4tx..4tx+5, so the 32 floats of eight tiles are four 4-float groups per 128-bit lane: loading tiles t and
/// t + 4 into the two lanes of one vector, an in-lane 4x4 transpose of four such vectors gives columns 0..3 of the eight
/// tiles in order, and one more vector (tiles 4 and 8) gives columns 4 and 5. The output transform stores through the same
/// transpose. Callers leave slack as for <see cref="WinogradTransformsF32"/>: strips at least 4·tiles + 40 floats wide, and
/// 8 writable elements past the last tile of a point's row.
/// </summary>
internal static class WinogradTransforms4F32
{
    /// <summary>Tiles t (low lane) and t + 4 (high lane): the 4 floats at p and at p + 16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> Lanes(float* p) => Avx.InsertVector128(Avx.LoadVector128(p).ToVector256Unsafe(), Avx.LoadVector128(p + 16), 1);

    /// <summary>In-lane 4x4 transpose: row r of the result holds element r of each of a, b, c, d (per 128-bit lane).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float>, Vector256<float>, Vector256<float>, Vector256<float>) Transpose(
        Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d)
    {
        var t0 = Avx.UnpackLow(a, b);    // a0 b0 a1 b1
        var t1 = Avx.UnpackHigh(a, b);   // a2 b2 a3 b3
        var t2 = Avx.UnpackLow(c, d);
        var t3 = Avx.UnpackHigh(c, d);
        return (Avx.Shuffle(t0, t2, 0x44), Avx.Shuffle(t0, t2, 0xEE), Avx.Shuffle(t1, t3, 0x44), Avx.Shuffle(t1, t3, 0xEE));
    }

    /// <summary>Bᵀ·(d0..d5) for eight tiles at once, into b[0..5].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void InputRows(Vector256<float> d0, Vector256<float> d1, Vector256<float> d2, Vector256<float> d3,
        Vector256<float> d4, Vector256<float> d5, Vector256<float>* b)
    {
        var four = Vector256.Create(4f);
        var five = Vector256.Create(5f);
        var two = Vector256.Create(2f);
        var p12 = d1 + d2;
        var m12 = d1 - d2;
        var m13 = d1 - d3;
        var m42 = d4 - d2;
        b[0] = Fma.MultiplyAdd(four, d0, Fma.MultiplyAddNegated(five, d2, d4));
        b[1] = Fma.MultiplyAddNegated(four, p12, d3 + d4);
        b[2] = Fma.MultiplyAdd(four, m12, d4 - d3);
        b[3] = Fma.MultiplyAddNegated(two, m13, m42);
        b[4] = Fma.MultiplyAdd(two, m13, m42);
        b[5] = Fma.MultiplyAdd(four, d1, Fma.MultiplyAddNegated(five, d3, d5));
    }

    /// <summary>As <see cref="WinogradTransforms4.Input{T}"/>; reads up to 4·tiles + 36 floats of each strip row.</summary>
    public static unsafe void Input(ReadOnlySpan<float> strip, int width, int tiles, Span<float> v, int tile0, int stride)
    {
        fixed (float* s = strip, vp = v)
        {
            float* dst0 = vp + tile0;
            var t = stackalloc Vector256<float>[36];
            var o = stackalloc Vector256<float>[6];
            for (int tx = 0; tx < tiles; tx += 8)
            {
                for (int r = 0; r < 6; r++)
                {
                    float* row = s + r * width + 4 * tx;
                    var a = Lanes(row);
                    var b = Lanes(row + 4);
                    var c = Lanes(row + 8);
                    var d = Lanes(row + 12);
                    var e = Lanes(row + 16);
                    var (k0, k1, k2, k3) = Transpose(a, b, c, d);
                    // Columns 4 and 5 are columns 0 and 1 of the next tile: the transpose of b, c, d, e, first two rows.
                    var u0 = Avx.UnpackLow(b, c);
                    var u2 = Avx.UnpackLow(d, e);
                    InputRows(k0, k1, k2, k3, Avx.Shuffle(u0, u2, 0x44), Avx.Shuffle(u0, u2, 0xEE), t + 6 * r);
                }
                float* dst = dst0 + tx;
                for (int j = 0; j < 6; j++)
                {
                    InputRows(t[j], t[6 + j], t[12 + j], t[18 + j], t[24 + j], t[30 + j], o);
                    for (int i = 0; i < 6; i++) Avx.Store(dst + (6 * i + j) * stride, o[i]);
                }
            }
        }
    }

    /// <summary>As <see cref="WinogradTransforms4.OutputAdjoint{T}"/>; reads up to 4·tiles + 32 floats of each strip row.</summary>
    public static unsafe void OutputAdjoint(ReadOnlySpan<float> strip, int width, int tiles, Span<float> dm, int tile0, int stride)
    {
        fixed (float* s = strip, dp = dm)
        {
            float* dst0 = dp + tile0;
            var q = stackalloc Vector256<float>[24];
            var o = stackalloc Vector256<float>[6];
            for (int tx = 0; tx < tiles; tx += 8)
            {
                for (int a = 0; a < 4; a++)
                {
                    float* row = s + a * width + 4 * tx;
                    var (z0, z1, z2, z3) = Transpose(Lanes(row), Lanes(row + 4), Lanes(row + 8), Lanes(row + 12));
                    AdjointRows(z0, z1, z2, z3, q + 6 * a);
                }
                float* dst = dst0 + tx;
                for (int j = 0; j < 6; j++)
                {
                    AdjointRows(q[j], q[6 + j], q[12 + j], q[18 + j], o);
                    for (int i = 0; i < 6; i++) Avx.Store(dst + (6 * i + j) * stride, o[i]);
                }
            }
        }
    }

    /// <summary>A·(z0..z3) for eight tiles at once, into q[0..5].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void AdjointRows(Vector256<float> z0, Vector256<float> z1, Vector256<float> z2, Vector256<float> z3, Vector256<float>* q)
    {
        var four = Vector256.Create(4f);
        var even = z0 + z2;
        var odd = z1 + z3;
        var even4 = Fma.MultiplyAdd(four, z2, z0);
        var odd4 = Fma.MultiplyAdd(four, z3, z1);
        q[0] = z0;
        q[1] = even + odd;
        q[2] = even - odd;
        q[3] = Fma.MultiplyAdd(Vector256.Create(2f), odd4, even4);
        q[4] = Fma.MultiplyAddNegated(Vector256.Create(2f), odd4, even4);
        q[5] = z3;
    }

    /// <summary>Aᵀ·(m0..m5) for eight tiles at once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float>, Vector256<float>, Vector256<float>, Vector256<float>) OutputRows(Vector256<float> m0, Vector256<float> m1,
        Vector256<float> m2, Vector256<float> m3, Vector256<float> m4, Vector256<float> m5)
    {
        var s1 = m1 + m2;
        var d1 = m1 - m2;
        var s2 = m3 + m4;
        var d2 = m3 - m4;
        return (m0 + s1 + s2, Fma.MultiplyAdd(Vector256.Create(2f), d2, d1), Fma.MultiplyAdd(Vector256.Create(4f), s2, s1),
            Fma.MultiplyAdd(Vector256.Create(8f), d2, d1 + m5));
    }

    /// <summary>As <see cref="WinogradTransforms4.Output{T}"/>; writes up to 32 floats past 4·tiles in each output row.</summary>
    public static unsafe void Output(ReadOnlySpan<float> m, int tile0, int stride, int tiles, Span<float> output, int width)
    {
        fixed (float* mp = m, op = output)
        {
            var r = stackalloc Vector256<float>[24];
            for (int tx = 0; tx < tiles; tx += 8)
            {
                float* src = mp + tile0 + tx;
                for (int i = 0; i < 6; i++)
                {
                    float* row = src + 6 * i * stride;
                    var (a0, a1, a2, a3) = OutputRows(Avx.LoadVector256(row), Avx.LoadVector256(row + stride), Avx.LoadVector256(row + 2 * stride),
                        Avx.LoadVector256(row + 3 * stride), Avx.LoadVector256(row + 4 * stride), Avx.LoadVector256(row + 5 * stride));
                    r[i] = a0; r[6 + i] = a1; r[12 + i] = a2; r[18 + i] = a3;
                }
                // r[6b + i] is column b of the row-transformed row i; the column pass gives output row a, column b.
                var (c00, c01, c02, c03) = OutputRows(r[0], r[1], r[2], r[3], r[4], r[5]);
                var (c10, c11, c12, c13) = OutputRows(r[6], r[7], r[8], r[9], r[10], r[11]);
                var (c20, c21, c22, c23) = OutputRows(r[12], r[13], r[14], r[15], r[16], r[17]);
                var (c30, c31, c32, c33) = OutputRows(r[18], r[19], r[20], r[21], r[22], r[23]);
                float* o = op + 4 * tx;
                StoreRow(o, c00, c10, c20, c30);
                StoreRow(o + width, c01, c11, c21, c31);
                StoreRow(o + 2 * width, c02, c12, c22, c32);
                StoreRow(o + 3 * width, c03, c13, c23, c33);
            }
        }
    }

    /// <summary>One output row of eight tiles from its four columns (each a vector over the tiles): the transpose gives
    /// tiles t and t + 4 per vector, stored at 4t and 4t + 16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreRow(float* o, Vector256<float> b0, Vector256<float> b1, Vector256<float> b2, Vector256<float> b3)
    {
        var (t0, t1, t2, t3) = Transpose(b0, b1, b2, b3);
        Avx.Store(o, t0.GetLower()); Avx.Store(o + 16, t0.GetUpper());
        Avx.Store(o + 4, t1.GetLower()); Avx.Store(o + 20, t1.GetUpper());
        Avx.Store(o + 8, t2.GetLower()); Avx.Store(o + 24, t2.GetUpper());
        Avx.Store(o + 12, t3.GetLower()); Avx.Store(o + 28, t3.GetUpper());
    }
}

/// <summary>Routes F(4x4, 3x3) tile transforms to the AVX2 float kernel when it applies, else to the generic scalar one.</summary>
internal static partial class WinogradTiles
{
    private static bool Fast4<T>() => typeof(T) == typeof(float) && WinogradTransformsF32.Enabled && Fma.IsSupported;

    public static void Input4<T>(ReadOnlySpan<T> strip, int width, int tiles, Span<T> v, int tile0, int stride) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Fast4<T>()) WinogradTransforms4F32.Input(MemoryMarshal.Cast<T, float>(strip), width, tiles, MemoryMarshal.Cast<T, float>(v), tile0, stride);
        else WinogradTransforms4.Input(strip, width, tiles, v, tile0, stride);
    }

    public static void OutputAdjoint4<T>(ReadOnlySpan<T> strip, int width, int tiles, Span<T> dm, int tile0, int stride) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Fast4<T>()) WinogradTransforms4F32.OutputAdjoint(MemoryMarshal.Cast<T, float>(strip), width, tiles, MemoryMarshal.Cast<T, float>(dm), tile0, stride);
        else WinogradTransforms4.OutputAdjoint(strip, width, tiles, dm, tile0, stride);
    }

    public static void Output4<T>(ReadOnlySpan<T> m, int tile0, int stride, int tiles, Span<T> output, int width) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Fast4<T>()) WinogradTransforms4F32.Output(MemoryMarshal.Cast<T, float>(m), tile0, stride, tiles, MemoryMarshal.Cast<T, float>(output), width);
        else WinogradTransforms4.Output(m, tile0, stride, tiles, output, width);
    }
}
