using System.Diagnostics;

namespace Hubel.Cli.Bench;

/// <summary>The peers' timing rules (../shared/peers/benchutil.py), repeated exactly so both sides are measured alike.</summary>
internal static class Timing
{
    /// <summary>benchutil.timeit: <paramref name="warmup"/> calls, one call to calibrate, then <paramref name="reps"/>
    /// repetitions that each loop fn until at least <paramref name="minTime"/> seconds; returns seconds per call per rep.</summary>
    public static double[] TimeIt(Action fn, double minTime = 0.3, int reps = 5, int warmup = 2)
    {
        for (int i = 0; i < warmup; i++) fn();
        long t0 = Stopwatch.GetTimestamp();
        fn();
        double one = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        int iters = Math.Max(1, (int)(minTime / Math.Max(one, 1e-7)));
        var result = new double[reps];
        for (int r = 0; r < reps; r++)
        {
            t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < iters; i++) fn();
            result[r] = Stopwatch.GetElapsedTime(t0).TotalSeconds / iters;
        }
        return result;
    }

    /// <summary>Python's statistics.median: the middle value, or the mean of the two middle values.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) throw new ArgumentException("median of no values", nameof(values));
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    public static double? MedianOrNull(IReadOnlyCollection<double> values) => values.Count == 0 ? null : Median(values);

    public static double GeometricMean(IReadOnlyCollection<double> values) => Math.Exp(values.Average(Math.Log));
}
