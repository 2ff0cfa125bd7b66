using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Hubel.Backends.Cpu;

namespace Hubel.Cli.Bench;

/// <summary>The machine's float32 FMA ceiling: every worker, on its own thread, runs independent fused multiply-adds on
/// 12 Vector256 accumulators and nothing else. 12 chains cover the FMA latency (4 cycles) on two FMA pipes (8 in flight
/// needed), and 12 + 2 registers fit the 16 ymm registers, so nothing is spilled. GEMM efficiency is a fraction of this.</summary>
/// <remarks>The first version called the clock inside the timed loop; a call clobbers every vector register, so the JIT
/// kept the accumulators on the stack and the probe measured store-to-load forwarding (about a quarter of the real rate,
/// below the GEMM itself). Now the timed code is <see cref="Burst"/>, a call-free loop of fixed length, and the clock is
/// read only between bursts.</remarks>
internal static class FmaPeak
{
    private const int Accumulators = 12;
    private const int BurstIterations = 1 << 16;   // 12 x 65536 FMAs: about 0.4 ms per call on a 3 GHz core
    private static readonly double FlopsPerBurst = 2.0 * Accumulators * Vector256<float>.Count * BurstIterations;   // 2 flops per lane

    /// <summary>Best per-core rate and best all-core rate (all workers running at once), each in GFLOP/s.</summary>
    public readonly record struct Peak(double PerCore, double AllCores, int Workers);

    /// <summary>The best of 20 windows spread across <paramref name="seconds"/>: a ceiling is a maximum, and on a shared
    /// machine the best window is the one where the workers got the cores.</summary>
    public static Peak Measure(double seconds)
    {
        int workers = CpuThreads.Count;
        Burst(Vector256.Create(1f));   // compile it fully before anything is timed
        double window = seconds / 20, bestCore = 0, bestAll = 0;
        var rates = new double[workers];
        for (int r = 0; r < 20; r++)
        {
            using var start = new Barrier(workers);
            var threads = Enumerable.Range(0, workers).Select(w => new Thread(() =>
            {
                start.SignalAndWait();
                rates[w] = RunFor(window);
            }) { IsBackground = true }).ToArray();
            foreach (var t in threads) t.Start();
            foreach (var t in threads) t.Join();
            bestCore = Math.Max(bestCore, rates.Max());
            bestAll = Math.Max(bestAll, rates.Sum());
        }
        return new Peak(bestCore, bestAll, workers);
    }

    /// <summary>Runs bursts for about <paramref name="seconds"/>; returns this thread's rate in GFLOP/s.</summary>
    private static double RunFor(double seconds)
    {
        var seed = Vector256.Create(1f);
        long start = Stopwatch.GetTimestamp(), stop = start + (long)(seconds * Stopwatch.Frequency), bursts = 0;
        float keep = 0;
        long now;
        do
        {
            keep += Burst(seed);
            bursts++;
            now = Stopwatch.GetTimestamp();
        } while (now < stop);
        if (float.IsNaN(keep)) throw new InvalidOperationException("FMA loop produced NaN");   // keeps the bursts alive
        return bursts * FlopsPerBurst / ((now - start) / (double)Stopwatch.Frequency) / 1e9;
    }

    // No calls inside, so the 12 accumulators live in registers for the whole loop. Fully optimised from the first call:
    // tier-0 code would keep them on the stack too.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static float Burst(Vector256<float> seed)
    {
        var a0 = seed; var a1 = seed; var a2 = seed; var a3 = seed; var a4 = seed; var a5 = seed;
        var a6 = seed; var a7 = seed; var a8 = seed; var a9 = seed; var a10 = seed; var a11 = seed;
        var m = Vector256.Create(0.999999f); var c = Vector256.Create(1e-7f);
        for (int i = 0; i < BurstIterations; i++)
        {
            a0 = Vector256.MultiplyAddEstimate(a0, m, c); a1 = Vector256.MultiplyAddEstimate(a1, m, c);
            a2 = Vector256.MultiplyAddEstimate(a2, m, c); a3 = Vector256.MultiplyAddEstimate(a3, m, c);
            a4 = Vector256.MultiplyAddEstimate(a4, m, c); a5 = Vector256.MultiplyAddEstimate(a5, m, c);
            a6 = Vector256.MultiplyAddEstimate(a6, m, c); a7 = Vector256.MultiplyAddEstimate(a7, m, c);
            a8 = Vector256.MultiplyAddEstimate(a8, m, c); a9 = Vector256.MultiplyAddEstimate(a9, m, c);
            a10 = Vector256.MultiplyAddEstimate(a10, m, c); a11 = Vector256.MultiplyAddEstimate(a11, m, c);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}
