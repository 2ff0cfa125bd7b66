using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Hubel.Backends.Cpu;

/// <summary>The backward of the fused relu(batch_norm(x) (+ residual)) with the ReLU folded into batch norm's two
/// passes: the incoming gradient is masked where the output y is not positive as it is read, instead of being written
/// masked to a third tensor first. The residual's gradient, when wanted, is that masked gradient, written in the first pass.</summary>
internal static partial class BatchNormF32
{
    public static void BackwardRelu(ReadOnlyMemory<float> x, ReadOnlyMemory<float> y, ReadOnlyMemory<float> dy, Memory<float>? dz,
        Memory<float>? dx, Memory<float>? dw, Memory<float>? db, int n, int c, int s, double[] mean, double[] invStd,
        ReadOnlyMemory<float>? weight, bool batchStats)
    {
        double count = (double)n * s;
        CpuThreads.For(c, (c0, c1) =>
        {
            var xs = x.Span; var ys = y.Span; var gs = dy.Span;
            var zs = dz is { } z ? z.Span : default;
            for (int ch = c0; ch < c1; ch++)
            {
                GradSums(xs, ys, gs, zs, mask: true, write: dz is not null, n, c, s, ch, mean[ch], out double sumG, out double sumGxc);
                double inv = invStd[ch], sumGx = sumGxc * inv;
                if (dw is { } w) w.Span[ch] = (float)sumGx;
                if (db is { } bm) bm.Span[ch] = (float)sumG;
                if (dx is not { } dxm) continue;
                double k = (weight is { } wm ? wm.Span[ch] : 1) * inv;
                double b = batchStats ? -k * inv * sumGx / count : 0;
                double cc = batchStats ? -k * sumG / count : 0;
                if (dz is not null) Affine2(zs, xs, dxm.Span, n, c, s, ch, (float)mean[ch], (float)k, (float)b, (float)cc);
                else MaskedAffine2(gs, ys, xs, dxm.Span, n, c, s, ch, (float)mean[ch], (float)k, (float)b, (float)cc);
            }
        }, MinChannelsPerWorker(n, s));
    }

    /// <summary>dx = g·a + (x - m)·b + c over one channel's rows, g = dy masked by y &gt; 0.</summary>
    private static void MaskedAffine2(ReadOnlySpan<float> gs, ReadOnlySpan<float> ys, ReadOnlySpan<float> xs, Span<float> dx, int n, int c, int s, int ch,
        float m, float a, float b, float cc)
    {
        var vm = Vector256.Create(m); var va = Vector256.Create(a); var vb = Vector256.Create(b); var vc = Vector256.Create(cc);
        for (int bi = 0; bi < n; bi++)
        {
            int o = (bi * c + ch) * s, i = 0;
            ref float pg = ref Unsafe.Add(ref MemoryMarshal.GetReference(gs), o);
            ref float py = ref Unsafe.Add(ref MemoryMarshal.GetReference(ys), o);
            ref float px = ref Unsafe.Add(ref MemoryMarshal.GetReference(xs), o);
            ref float pd = ref Unsafe.Add(ref MemoryMarshal.GetReference(dx), o);
            for (; i <= s - 8; i += 8)
            {
                var g = Vector256.LoadUnsafe(ref pg, (nuint)i) & Vector256.GreaterThan(Vector256.LoadUnsafe(ref py, (nuint)i), Vector256<float>.Zero);
                var t = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref px, (nuint)i) - vm, vb, vc);
                Vector256.FusedMultiplyAdd(g, va, t).StoreUnsafe(ref pd, (nuint)i);
            }
            for (; i < s; i++)
            {
                float g = Unsafe.Add(ref py, i) > 0 ? Unsafe.Add(ref pg, i) : 0;
                Unsafe.Add(ref pd, i) = MathF.FusedMultiplyAdd(g, a, MathF.FusedMultiplyAdd(Unsafe.Add(ref px, i) - m, b, cc));
            }
        }
    }
}
