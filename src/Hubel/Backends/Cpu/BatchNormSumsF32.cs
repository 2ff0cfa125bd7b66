using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Hubel.Backends.Cpu;

/// <summary>The per-channel sums of float32 batch norm. Each image's row of S values is cut into blocks of at most
/// <see cref="Block"/>; a block is summed in float vector lanes (so a lane adds at most Block/16 values, whatever S is)
/// and the blocks are combined in double. Deviations are taken from each block's own mean and merged with Chan's
/// formula, so the variance never comes from E[x²] - E[x]². Widening every value to double instead was as accurate for
/// the tests and twice the arithmetic.</summary>
internal static partial class BatchNormF32
{
    private const int Block = 256;

    /// <summary>Mean and biased variance of one channel over its N·S values.</summary>
    private static void ChannelStats(ReadOnlySpan<float> xs, int n, int c, int s, int ch, out double mean, out double variance)
    {
        double count = 0, m = 0, m2 = 0;
        for (int b = 0; b < n; b++)
            for (int seg = 0; seg < s; seg += Block)
            {
                int len = Math.Min(Block, s - seg);
                var block = xs.Slice((b * c + ch) * s + seg, len);
                double blockMean = Sum(block) / len;
                double blockM2 = SquaredDeviations(block, blockMean);
                // Chan et al.: merge (count, m, m2) with the block's (len, blockMean, blockM2).
                double total = count + len, delta = blockMean - m;
                m += delta * len / total;
                m2 += blockM2 + delta * delta * count * len / total;
                count = total;
            }
        mean = m;
        variance = count > 0 ? m2 / count : 0;
    }

    private static double Sum(ReadOnlySpan<float> r)
    {
        ref float p = ref MemoryMarshal.GetReference(r);
        int i = 0, len = r.Length;
        var a0 = Vector256<float>.Zero; var a1 = Vector256<float>.Zero;
        for (; i <= len - 16; i += 16)
        {
            a0 += Vector256.LoadUnsafe(ref p, (nuint)i);
            a1 += Vector256.LoadUnsafe(ref p, (nuint)i + 8);
        }
        if (i <= len - 8) { a0 += Vector256.LoadUnsafe(ref p, (nuint)i); i += 8; }
        double t = Vector256.Sum(a0 + a1);
        for (; i < len; i++) t += Unsafe.Add(ref p, i);
        return t;
    }

    /// <summary>Σ(x - mean)² over a block, from deviations of float(mean) corrected to mean.</summary>
    private static double SquaredDeviations(ReadOnlySpan<float> r, double mean)
    {
        ref float p = ref MemoryMarshal.GetReference(r);
        int i = 0, len = r.Length;
        float m = (float)mean;
        var vm = Vector256.Create(m);
        var a0 = Vector256<float>.Zero; var a1 = Vector256<float>.Zero;
        for (; i <= len - 16; i += 16)
        {
            var d0 = Vector256.LoadUnsafe(ref p, (nuint)i) - vm;
            var d1 = Vector256.LoadUnsafe(ref p, (nuint)i + 8) - vm;
            a0 = Vector256.FusedMultiplyAdd(d0, d0, a0);
            a1 = Vector256.FusedMultiplyAdd(d1, d1, a1);
        }
        if (i <= len - 8) { var d = Vector256.LoadUnsafe(ref p, (nuint)i) - vm; a0 = Vector256.FusedMultiplyAdd(d, d, a0); i += 8; }
        double t = Vector256.Sum(a0 + a1);
        for (; i < len; i++) { double d = Unsafe.Add(ref p, i) - m; t += d * d; }
        double shift = mean - m;   // Σ(x - mean)² = Σ(x - m)² - len·(mean - m)²
        return Math.Max(0, t - len * shift * shift);
    }

    /// <summary>Σdy and Σdy·(x - mean) over one channel.</summary>
    private static void GradSums(ReadOnlySpan<float> xs, ReadOnlySpan<float> gs, int n, int c, int s, int ch, double mean,
        out double sumG, out double sumGxc) =>
        GradSums(xs, default, gs, default, mask: false, write: false, n, c, s, ch, mean, out sumG, out sumGxc);

    /// <summary>Σg and Σg·(x - mean) over one channel, g = dy, or with <paramref name="mask"/> g = dy where y &gt; 0 and 0
    /// elsewhere (the ReLU after a fused batch norm), written to <paramref name="zs"/> when <paramref name="write"/>.
    /// Masked or not, the values are added in the same order, so fused and separate ops agree to the last bit.</summary>
    private static void GradSums(ReadOnlySpan<float> xs, ReadOnlySpan<float> ys, ReadOnlySpan<float> gs, Span<float> zs, bool mask, bool write,
        int n, int c, int s, int ch, double mean, out double sumG, out double sumGxc)
    {
        float m = (float)mean;
        var vm = Vector256.Create(m);
        var zero = Vector256<float>.Zero;
        double g0 = 0, g1 = 0;
        for (int b = 0; b < n; b++)
            for (int seg = 0; seg < s; seg += Block)
            {
                int o = (b * c + ch) * s + seg, len = Math.Min(Block, s - seg), i = 0;
                ref float px = ref Unsafe.Add(ref MemoryMarshal.GetReference(xs), o);
                ref float pg = ref Unsafe.Add(ref MemoryMarshal.GetReference(gs), o);
                ref float py = ref mask ? ref Unsafe.Add(ref MemoryMarshal.GetReference(ys), o) : ref pg;
                ref float pz = ref write ? ref Unsafe.Add(ref MemoryMarshal.GetReference(zs), o) : ref pg;
                var s0 = zero; var s1 = zero; var t0 = zero; var t1 = zero;
                for (; i <= len - 16; i += 16)
                {
                    var ga = Vector256.LoadUnsafe(ref pg, (nuint)i);
                    var gb = Vector256.LoadUnsafe(ref pg, (nuint)i + 8);
                    if (mask)
                    {
                        ga &= Vector256.GreaterThan(Vector256.LoadUnsafe(ref py, (nuint)i), zero);
                        gb &= Vector256.GreaterThan(Vector256.LoadUnsafe(ref py, (nuint)i + 8), zero);
                    }
                    if (write) { ga.StoreUnsafe(ref pz, (nuint)i); gb.StoreUnsafe(ref pz, (nuint)i + 8); }
                    s0 += ga; s1 += gb;
                    t0 = Vector256.FusedMultiplyAdd(ga, Vector256.LoadUnsafe(ref px, (nuint)i) - vm, t0);
                    t1 = Vector256.FusedMultiplyAdd(gb, Vector256.LoadUnsafe(ref px, (nuint)i + 8) - vm, t1);
                }
                if (i <= len - 8)
                {
                    var ga = Vector256.LoadUnsafe(ref pg, (nuint)i);
                    if (mask) ga &= Vector256.GreaterThan(Vector256.LoadUnsafe(ref py, (nuint)i), zero);
                    if (write) ga.StoreUnsafe(ref pz, (nuint)i);
                    s0 += ga;
                    t0 = Vector256.FusedMultiplyAdd(ga, Vector256.LoadUnsafe(ref px, (nuint)i) - vm, t0);
                    i += 8;
                }
                double rs = Vector256.Sum(s0 + s1), rt = Vector256.Sum(t0 + t1);
                for (; i < len; i++)
                {
                    float g = !mask || Unsafe.Add(ref py, i) > 0 ? Unsafe.Add(ref pg, i) : 0;
                    if (write) Unsafe.Add(ref pz, i) = g;
                    rs += g;
                    rt += g * (Unsafe.Add(ref px, i) - m);
                }
                g0 += rs;
                g1 += rt;
            }
        sumG = g0;
        sumGxc = g1 + (m - mean) * g0;   // Σdy·(x - mean) from Σdy·(x - float(mean))
    }
}
