using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Hubel.Backends.Cpu;

/// <summary>
/// AVX2 float32 versions of <see cref="WinogradTransforms"/>' tile transforms, eight tiles of a row per vector: tile tx
/// reads columns 2tx..2tx+3, so the even and odd columns of 16 consecutive floats (a deinterleave) are column 0 and 1 of
/// eight tiles, and the same 16 floats two columns further on are columns 2 and 3. They run in steps of eight tiles, so
/// callers leave slack: strips at least 2·tiles + 18 floats wide, and 8 writable elements past the last tile of a
/// point's row (rows are ld = wide + 8 apart; the spill into the next tile row is overwritten when that row is done).
/// </summary>
internal static class WinogradTransformsF32
{
    public static bool Enabled => Avx2.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe (Vector256<float> Even, Vector256<float> Odd) Deinterleave(float* p)
    {
        var lo = Avx.LoadVector256(p);
        var hi = Avx.LoadVector256(p + 8);
        // Within 128-bit lanes: [a0 a2 b0 b2 | a4 a6 b4 b6]; the 64-bit permute puts the pairs in order.
        var even = Avx.Shuffle(lo, hi, 0b10_00_10_00);
        var odd = Avx.Shuffle(lo, hi, 0b11_01_11_01);
        return (Avx2.Permute4x64(even.AsDouble(), 0b11_01_10_00).AsSingle(), Avx2.Permute4x64(odd.AsDouble(), 0b11_01_10_00).AsSingle());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreInterleaved(float* p, Vector256<float> even, Vector256<float> odd)
    {
        var lo = Avx.UnpackLow(even, odd);    // [e0 o0 e1 o1 | e4 o4 e5 o5]
        var hi = Avx.UnpackHigh(even, odd);   // [e2 o2 e3 o3 | e6 o6 e7 o7]
        Avx.Store(p, Avx.Permute2x128(lo, hi, 0x20));
        Avx.Store(p + 8, Avx.Permute2x128(lo, hi, 0x31));
    }

    /// <summary>As <see cref="WinogradTransforms.Input{T}"/>.</summary>
    public static unsafe void Input(ReadOnlySpan<float> strip, int width, int tiles, Span<float> v, int tile0, int stride)
    {
        fixed (float* s = strip, vp = v)
        {
            float* dst0 = vp + tile0;
            var t = stackalloc Vector256<float>[16];
            for (int tx = 0; tx < tiles; tx += 8)
            {
                for (int r = 0; r < 4; r++)
                {
                    float* row = s + r * width + 2 * tx;
                    var (e0, o0) = Deinterleave(row);
                    var (e2, o2) = Deinterleave(row + 2);
                    t[4 * r] = e0 - e2;
                    t[4 * r + 1] = o0 + e2;
                    t[4 * r + 2] = e2 - o0;
                    t[4 * r + 3] = o0 - o2;
                }
                float* dst = dst0 + tx;
                for (int j = 0; j < 4; j++)
                {
                    Vector256<float> t0 = t[j], t1 = t[4 + j], t2 = t[8 + j], t3 = t[12 + j];
                    Avx.Store(dst + j * stride, t0 - t2);
                    Avx.Store(dst + (4 + j) * stride, t1 + t2);
                    Avx.Store(dst + (8 + j) * stride, t2 - t1);
                    Avx.Store(dst + (12 + j) * stride, t1 - t3);
                }
            }
        }
    }

    /// <summary>As <see cref="WinogradTransforms.Output{T}"/>; writes up to 16 floats past 2·tiles in each output row.</summary>
    public static unsafe void Output(ReadOnlySpan<float> m, int tile0, int stride, int tiles, Span<float> output, int width)
    {
        fixed (float* mp = m, op = output)
        {
            var r = stackalloc Vector256<float>[8];
            for (int tx = 0; tx < tiles; tx += 8)
            {
                float* src = mp + tile0 + tx;
                for (int i = 0; i < 4; i++)
                {
                    var m0 = Avx.LoadVector256(src + 4 * i * stride);
                    var m1 = Avx.LoadVector256(src + (4 * i + 1) * stride);
                    var m2 = Avx.LoadVector256(src + (4 * i + 2) * stride);
                    var m3 = Avx.LoadVector256(src + (4 * i + 3) * stride);
                    r[2 * i] = m0 + m1 + m2;
                    r[2 * i + 1] = m1 - m2 - m3;
                }
                StoreInterleaved(op + 2 * tx, r[0] + r[2] + r[4], r[1] + r[3] + r[5]);
                StoreInterleaved(op + width + 2 * tx, r[2] - r[4] - r[6], r[3] - r[5] - r[7]);
            }
        }
    }

    /// <summary>As <see cref="WinogradTransforms.OutputAdjoint{T}"/>.</summary>
    public static unsafe void OutputAdjoint(ReadOnlySpan<float> strip, int width, int tiles, Span<float> dm, int tile0, int stride)
    {
        fixed (float* s = strip, dp = dm)
        {
            float* dst0 = dp + tile0;
            var q = stackalloc Vector256<float>[8];
            for (int tx = 0; tx < tiles; tx += 8)
            {
                var (a0, a1) = Deinterleave(s + 2 * tx);
                var (b0, b1) = Deinterleave(s + width + 2 * tx);
                q[0] = a0; q[1] = a0 + a1; q[2] = a0 - a1; q[3] = -a1;
                q[4] = b0; q[5] = b0 + b1; q[6] = b0 - b1; q[7] = -b1;
                float* dst = dst0 + tx;
                for (int j = 0; j < 4; j++)
                {
                    Avx.Store(dst + j * stride, q[j]);
                    Avx.Store(dst + (4 + j) * stride, q[j] + q[4 + j]);
                    Avx.Store(dst + (8 + j) * stride, q[j] - q[4 + j]);
                    Avx.Store(dst + (12 + j) * stride, -q[4 + j]);
                }
            }
        }
    }
}

/// <summary>Routes a tile transform to the AVX2 float kernel when it applies, else to the generic scalar one.</summary>
internal static partial class WinogradTiles
{
    public static void Input<T>(ReadOnlySpan<T> strip, int width, int tiles, Span<T> v, int tile0, int stride) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && WinogradTransformsF32.Enabled)
            WinogradTransformsF32.Input(MemoryMarshal.Cast<T, float>(strip), width, tiles, MemoryMarshal.Cast<T, float>(v), tile0, stride);
        else WinogradTransforms.Input(strip, width, tiles, v, tile0, stride);
    }

    public static void Output<T>(ReadOnlySpan<T> m, int tile0, int stride, int tiles, Span<T> output, int width) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && WinogradTransformsF32.Enabled)
            WinogradTransformsF32.Output(MemoryMarshal.Cast<T, float>(m), tile0, stride, tiles, MemoryMarshal.Cast<T, float>(output), width);
        else WinogradTransforms.Output(m, tile0, stride, tiles, output, width);
    }

    public static void OutputAdjoint<T>(ReadOnlySpan<T> strip, int width, int tiles, Span<T> dm, int tile0, int stride) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && WinogradTransformsF32.Enabled)
            WinogradTransformsF32.OutputAdjoint(MemoryMarshal.Cast<T, float>(strip), width, tiles, MemoryMarshal.Cast<T, float>(dm), tile0, stride);
        else WinogradTransforms.OutputAdjoint(strip, width, tiles, dm, tile0, stride);
    }
}
