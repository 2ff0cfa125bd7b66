using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Hubel.Analysis;

/// <summary>
/// Where a training step's wall time goes, op by op: forward time per recorded op name, backward time per grad_fn name,
/// gradient accumulation, optimiser step and zero_grad. Off by default (one static bool check per op); on with
/// <c>HUBEL_PROFILE=1</c> or by setting <see cref="Enabled"/> (<c>hubel bench resnet20-train --profile</c>).
/// <para>The forward pass has no per-op hook before an op runs, so a forward op is charged the wall time since the
/// previous boundary: the previous op's recording, the end of a timed backward or optimiser region, or a
/// <see cref="Mark"/>. That is the op's kernel plus the module code around it (validation, views, running-statistics
/// updates). Callers that do other work between steps (loading a batch) call <see cref="Mark"/> first, or that work is
/// charged to the first forward op. Timing is single-threaded: profile one training loop at a time.</para>
/// </summary>
public static class OpProfiler
{
    /// <summary>Checked by every hook; a plain field so the check costs a load and a branch when off.</summary>
    public static bool Enabled = Environment.GetEnvironmentVariable("HUBEL_PROFILE") == "1";

    private static readonly object Gate = new();
    private static readonly Dictionary<(string Phase, string Name), (long Ticks, long Calls)> Totals = [];
    [ThreadStatic] private static long _mark;

    public const string ForwardPhase = "forward";
    public const string BackwardPhase = "backward";
    public const string OptimizerPhase = "optimizer";

    /// <summary>A timestamp to pass to <see cref="Stop"/> (0 when off, so a region started while off records nothing).</summary>
    public static long Start() => Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>Charges the time since <paramref name="start"/> to (phase, name) and makes now the next forward op's
    /// starting point.</summary>
    public static void Stop(string phase, string name, long start)
    {
        if (start == 0 || !Enabled) return;
        long now = Stopwatch.GetTimestamp();
        Add(phase, name, now - start);
        _mark = now;
    }

    /// <summary>A forward op was just recorded: charges it the time since the previous boundary on this thread.</summary>
    public static void ForwardOp(string name)
    {
        if (!Enabled) return;
        long now = Stopwatch.GetTimestamp();
        if (_mark != 0) Add(ForwardPhase, name, now - _mark);
        _mark = now;
    }

    /// <summary>Starts the clock for the next forward op here (call before a step's forward pass when other work precedes it).</summary>
    public static void Mark()
    {
        if (Enabled) _mark = Stopwatch.GetTimestamp();
    }

    /// <summary>Forgets everything measured so far (call after the warm-up steps).</summary>
    public static void Reset()
    {
        lock (Gate) Totals.Clear();
        _mark = Enabled ? Stopwatch.GetTimestamp() : 0;
    }

    private static void Add(string phase, string name, long ticks)
    {
        lock (Gate)
        {
            Totals.TryGetValue((phase, name), out var t);
            Totals[(phase, name)] = (t.Ticks + ticks, t.Calls + 1);
        }
    }

    /// <summary>One line of the profile: total milliseconds and calls since the last <see cref="Reset"/>.</summary>
    public sealed record Entry(string Phase, string Name, double Milliseconds, long Calls);

    /// <summary>Everything measured since the last <see cref="Reset"/>, most expensive first.</summary>
    public static IReadOnlyList<Entry> Snapshot()
    {
        lock (Gate)
            return Totals.Select(kv => new Entry(kv.Key.Phase, kv.Key.Name, kv.Value.Ticks * 1000.0 / Stopwatch.Frequency, kv.Value.Calls))
                .OrderByDescending(e => e.Milliseconds).ToList();
    }

    /// <summary>The profile as a table per step: phase, op, calls, ms, share of the profiled total; then totals per phase
    /// and, given the measured wall time per step, what the hooks did not see.</summary>
    public static string Format(int steps, double? wallMsPerStep = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        var entries = Snapshot();
        double total = entries.Sum(e => e.Milliseconds) / steps;
        var ic = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(ic, $"{"phase",-10} {"op",-34} {"calls/step",10} {"ms/step",9} {"share",7}");
        foreach (var e in entries)
            sb.AppendLine(ic, $"{e.Phase,-10} {Trim(e.Name),-34} {(double)e.Calls / steps,10:0.#} {e.Milliseconds / steps,9:0.00} {Share(e.Milliseconds / steps, total),7}");
        foreach (var phase in entries.GroupBy(e => e.Phase).OrderByDescending(g => g.Sum(e => e.Milliseconds)))
        {
            double ms = phase.Sum(e => e.Milliseconds) / steps;
            sb.AppendLine(ic, $"{"total",-10} {phase.Key,-34} {"",10} {ms,9:0.00} {Share(ms, total),7}");
        }
        sb.AppendLine(ic, $"{"total",-10} {"profiled",-34} {"",10} {total,9:0.00} {"100.0%",7}");
        if (wallMsPerStep is double wall)
            sb.AppendLine(ic, $"{"total",-10} {"wall (unprofiled: " + (wall - total).ToString("0.00", ic) + " ms)",-34} {"",10} {wall,9:0.00}");
        return sb.ToString();
    }

    private static string Share(double ms, double total) => total > 0 ? (ms / total).ToString("0.0%", CultureInfo.InvariantCulture) : "";

    private static string Trim(string name) => name.Length <= 34 ? name : name[..33] + "…";
}
