namespace Hubel.Optim.Schedules;

/// <summary>
/// torch.optim.lr_scheduler.OneCycleLR (two phases, cycle_momentum=False), stepped once per batch: from
/// maxLr/divFactor up to maxLr over the first pctStart of <see cref="TotalSteps"/>, then down to
/// maxLr/(divFactor·finalDivFactor), with cosine or linear annealing. Momentum is not cycled.
/// </summary>
public sealed class OneCycleLR : LrSchedule
{
    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps, double pctStart = 0.3, bool cosine = true,
        double divFactor = 25, double finalDivFactor = 1e4)
        : base(optimizer, ScheduleUnit.Batch)
    {
        if (!(maxLr > 0) || double.IsInfinity(maxLr)) throw new ArgumentOutOfRangeException(nameof(maxLr), $"max_lr must be a finite number > 0; got {maxLr}");
        if (totalSteps < 2) throw new ArgumentOutOfRangeException(nameof(totalSteps), $"total steps must be >= 2; got {totalSteps}");
        if (!(pctStart > 0 && pctStart < 1)) throw new ArgumentOutOfRangeException(nameof(pctStart), $"pct_start must be in (0, 1); got {pctStart}");
        if (!(divFactor > 0) || double.IsInfinity(divFactor)) throw new ArgumentOutOfRangeException(nameof(divFactor), $"div_factor must be a finite number > 0; got {divFactor}");
        if (!(finalDivFactor > 0) || double.IsInfinity(finalDivFactor)) throw new ArgumentOutOfRangeException(nameof(finalDivFactor), $"final_div_factor must be a finite number > 0; got {finalDivFactor}");
        // PyTorch divides by (pct·total - 1) - 0; a first phase that ends at step 0 would divide by zero there too.
        if (pctStart * totalSteps - 1 <= 0)
            throw new ArgumentOutOfRangeException(nameof(pctStart), $"pct_start · total steps must exceed 1 (a warm-up phase of at least one step); got {pctStart} · {totalSteps}");
        MaxLr = maxLr; TotalSteps = totalSteps; PctStart = pctStart; Cosine = cosine; DivFactor = divFactor; FinalDivFactor = finalDivFactor;
        Start();
    }

    public double MaxLr { get; }
    public int TotalSteps { get; }
    public double PctStart { get; }
    public bool Cosine { get; }
    public double DivFactor { get; }
    public double FinalDivFactor { get; }

    public override double LearningRateAt(int step)
    {
        if (step > TotalSteps)
            throw new InvalidOperationException($"one-cycle schedule stepped {step} times; it was built for {TotalSteps} steps");
        double initial = MaxLr / DivFactor, min = initial / FinalDivFactor;
        double warmEnd = PctStart * TotalSteps - 1, end = TotalSteps - 1;
        return step <= warmEnd
            ? Anneal(initial, MaxLr, step / warmEnd)
            : Anneal(MaxLr, min, (step - warmEnd) / (end - warmEnd));
    }

    private double Anneal(double start, double end, double pct) =>
        Cosine ? end + (start - end) / 2.0 * (Math.Cos(Math.PI * pct) + 1) : (end - start) * pct + start;
}
