using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Hubel.Backends.Cpu;

namespace Hubel.Cli.Bench;

/// <summary>The machine's float32 FMA ceiling: every worker runs independent fused multiply-adds on 12 vector
/// accumulators (enough to cover the FMA latency on two pipes), nothing else. GEMM efficiency is a fraction of this.</summary>
internal static class FmaPeak
{
    private const int Accumulators = 12;

    /// <summary>The best rate over 20 windows spread across <paramref name="seconds"/>: a ceiling is a maximum, and on a
    /// shared machine the best window is the one where the workers got the cores.</summary>
    public static double GflopsPerSecond(double seconds)
    {
        int workers = CpuThreads.Count;
        Measure(0.01);   // wake the cores
        double best = 0, window = seconds / 20;
        var flops = new double[workers];
        for (int r = 0; r < 20; r++)
        {
            var clock = Stopwatch.StartNew();
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w => flops[w] = Measure(window));
            best = Math.Max(best, flops.Sum() / clock.Elapsed.TotalSeconds / 1e9);
        }
        return best;
    }

    // Returns the flops done in about `seconds`. Fully optimised from the first call: tier-0 code would keep the
    // accumulators on the stack and measure the JIT instead of the machine.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Measure(double seconds)
    {
        long iterations = 0, stop = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var a0 = Vector256.Create(1f); var a1 = a0; var a2 = a0; var a3 = a0; var a4 = a0; var a5 = a0;
        var a6 = a0; var a7 = a0; var a8 = a0; var a9 = a0; var a10 = a0; var a11 = a0;
        var m = Vector256.Create(0.999999f); var c = Vector256.Create(1e-7f);
        const int Inner = 4096;
        while (Stopwatch.GetTimestamp() < stop)
        {
            for (int i = 0; i < Inner; i++)
            {
                a0 = Fma(a0, m, c); a1 = Fma(a1, m, c); a2 = Fma(a2, m, c); a3 = Fma(a3, m, c);
                a4 = Fma(a4, m, c); a5 = Fma(a5, m, c); a6 = Fma(a6, m, c); a7 = Fma(a7, m, c);
                a8 = Fma(a8, m, c); a9 = Fma(a9, m, c); a10 = Fma(a10, m, c); a11 = Fma(a11, m, c);
            }
            iterations += Inner;
        }
        var sum = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
        if (float.IsNaN(Vector256.Sum(sum))) throw new InvalidOperationException("FMA loop produced NaN");   // keeps the loop alive
        return iterations * Accumulators * Vector256<float>.Count * 2.0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        System.Runtime.Intrinsics.X86.Fma.IsSupported ? System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(a, b, c) : a * b + c;
}
