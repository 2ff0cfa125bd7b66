namespace Hubel.Optim.Schedules;

/// <summary>
/// Linear warm-up in front of another schedule, as PyTorch's SequentialLR([LinearLR(startFactor, total_iters=W), inner],
/// milestones=[W]): for t &lt; W the rate is η·(s + (1-s)·t/W), then the inner schedule's rate at t - W. Counts steps in
/// the inner schedule's unit.
/// </summary>
public sealed class LinearWarmup : LrSchedule
{
    public LinearWarmup(LrSchedule inner, int warmupSteps, double? startFactor = null)
        : base(inner?.Optimizer ?? throw new ArgumentNullException(nameof(inner)), inner.Unit)
    {
        if (warmupSteps < 1) throw new ArgumentOutOfRangeException(nameof(warmupSteps), $"warm-up steps must be >= 1; got {warmupSteps}");
        double s = startFactor ?? 1.0 / (warmupSteps + 1);
        if (!(s > 0 && s <= 1)) throw new ArgumentOutOfRangeException(nameof(startFactor), $"start factor must be in (0, 1]; got {s}");
        Inner = inner; WarmupSteps = warmupSteps; StartFactor = s;
        Start();
    }

    public LrSchedule Inner { get; }
    public int WarmupSteps { get; }
    public double StartFactor { get; }

    public override double LearningRateAt(int step) =>
        step < WarmupSteps ? Inner.LearningRateAt(0) * (StartFactor + (1 - StartFactor) * step / WarmupSteps) : Inner.LearningRateAt(step - WarmupSteps);
}
