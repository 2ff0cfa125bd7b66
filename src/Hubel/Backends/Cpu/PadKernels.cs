using System.Numerics;
using Hubel.Ops;

namespace Hubel.Backends.Cpu;

/// <summary>
/// Padding as a gather through per-dimension index maps: output index i of a padded dimension reads input index
/// map[i], or nothing (zero) when map[i] is -1. Reflect, replicate and circular only differ in their maps, so one
/// forward (gather) and one backward (scatter-add, several outputs may read one input) serve every mode.
/// The tensor is seen as [outer, A, B, C] with the padded dimensions last (missing ones are size 1).
/// </summary>
internal static class PadKernels
{
    /// <summary>Where output index i (0 ≤ i &lt; before + size + after) reads from, per mode.</summary>
    public static int[] Map(int size, int before, int after, PaddingMode mode)
    {
        var map = new int[before + size + after];
        for (int i = 0; i < map.Length; i++)
        {
            int j = i - before;
            map[i] = (uint)j < (uint)size ? j : mode switch
            {
                PaddingMode.Zeros => -1,
                PaddingMode.Replicate => Math.Clamp(j, 0, size - 1),
                PaddingMode.Circular => ((j % size) + size) % size,
                // Mirror about the edge element without repeating it (needs before, after < size).
                _ => j < 0 ? -j : 2 * (size - 1) - j,
            };
        }
        return map;
    }

    public static void Forward<T>(ReadOnlyMemory<T> x, Memory<T> y, int outer, int[] inSizes, int[][] maps) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int inVol = inSizes[0] * inSizes[1] * inSizes[2], outVol = maps[0].Length * maps[1].Length * maps[2].Length;
        CpuThreads.For(outer, (o0, o1) =>
        {
            var xs = x.Span;
            var ys = y.Span;
            for (int o = o0; o < o1; o++)
            {
                int k = o * outVol;
                foreach (int a in maps[0])
                    foreach (int b in maps[1])
                        foreach (int c in maps[2])
                            ys[k++] = a < 0 || b < 0 || c < 0 ? T.Zero : xs[o * inVol + (a * inSizes[1] + b) * inSizes[2] + c];
            }
        }, minPerWorker: Math.Max(1, 16384 / Math.Max(1, outVol)));
    }

    /// <summary>dx must be zeroed: every output that read an input element adds its gradient there.</summary>
    public static void Backward<T>(ReadOnlyMemory<T> dy, Memory<T> dx, int outer, int[] inSizes, int[][] maps) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int inVol = inSizes[0] * inSizes[1] * inSizes[2], outVol = maps[0].Length * maps[1].Length * maps[2].Length;
        CpuThreads.For(outer, (o0, o1) =>
        {
            var dys = dy.Span;
            var dxs = dx.Span;
            for (int o = o0; o < o1; o++)
            {
                int k = o * outVol;
                foreach (int a in maps[0])
                    foreach (int b in maps[1])
                        foreach (int c in maps[2])
                        {
                            if (a >= 0 && b >= 0 && c >= 0) dxs[o * inVol + (a * inSizes[1] + b) * inSizes[2] + c] += dys[k];
                            k++;
                        }
            }
        }, minPerWorker: Math.Max(1, 16384 / Math.Max(1, outVol)));
    }
}
