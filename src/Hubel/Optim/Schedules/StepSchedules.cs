namespace Hubel.Optim.Schedules;

/// <summary>torch.optim.lr_scheduler.StepLR: η·γ^⌊t/stepSize⌋.</summary>
public sealed class StepLR : LrSchedule
{
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1, ScheduleUnit unit = ScheduleUnit.Epoch)
        : base(optimizer, unit)
    {
        if (stepSize < 1) throw new ArgumentOutOfRangeException(nameof(stepSize), $"step size must be >= 1; got {stepSize}");
        if (!(gamma > 0) || double.IsInfinity(gamma)) throw new ArgumentOutOfRangeException(nameof(gamma), $"gamma must be a finite number > 0; got {gamma}");
        StepSize = stepSize; Gamma = gamma;
        Start();
    }

    public int StepSize { get; }
    public double Gamma { get; }

    public override double LearningRateAt(int step) => BaseLr * Math.Pow(Gamma, step / StepSize);
}

/// <summary>torch.optim.lr_scheduler.MultiStepLR: η·γ^(number of milestones ≤ t).</summary>
public sealed class MultiStepLR : LrSchedule
{
    private readonly int[] _milestones;

    public MultiStepLR(Optimizer optimizer, IEnumerable<int> milestones, double gamma = 0.1, ScheduleUnit unit = ScheduleUnit.Epoch)
        : base(optimizer, unit)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        _milestones = [.. milestones];
        if (_milestones.Length == 0 || _milestones.Any(m => m < 1) || _milestones.Zip(_milestones.Skip(1)).Any(p => p.First >= p.Second))
            throw new ArgumentOutOfRangeException(nameof(milestones), $"milestones must be increasing integers >= 1; got [{string.Join(", ", _milestones)}]");
        if (!(gamma > 0) || double.IsInfinity(gamma)) throw new ArgumentOutOfRangeException(nameof(gamma), $"gamma must be a finite number > 0; got {gamma}");
        Gamma = gamma;
        Start();
    }

    public IReadOnlyList<int> Milestones => _milestones;
    public double Gamma { get; }

    public override double LearningRateAt(int step) => BaseLr * Math.Pow(Gamma, _milestones.Count(m => m <= step));
}

/// <summary>torch.optim.lr_scheduler.CosineAnnealingLR (closed form): η_min + (η - η_min)(1 + cos(πt/T))/2.</summary>
public sealed class CosineAnnealingLR : LrSchedule
{
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin = 0, ScheduleUnit unit = ScheduleUnit.Epoch)
        : base(optimizer, unit)
    {
        if (tMax < 1) throw new ArgumentOutOfRangeException(nameof(tMax), $"T_max must be >= 1; got {tMax}");
        if (!(etaMin >= 0) || double.IsInfinity(etaMin)) throw new ArgumentOutOfRangeException(nameof(etaMin), $"eta_min must be a finite number >= 0; got {etaMin}");
        TMax = tMax; EtaMin = etaMin;
        Start();
    }

    public int TMax { get; }
    public double EtaMin { get; }

    public override double LearningRateAt(int step) => EtaMin + (BaseLr - EtaMin) * (1 + Math.Cos(Math.PI * step / TMax)) / 2;
}
