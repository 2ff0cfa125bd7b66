namespace Hubel.Optim.Schedules;

/// <summary>Whether a schedule advances once per epoch or once per optimiser step (batch).</summary>
public enum ScheduleUnit { Epoch, Batch }

/// <summary>
/// A learning-rate schedule bound to an optimiser, as torch.optim.lr_scheduler: the rate is a closed-form function
/// of the number of <see cref="Step"/> calls so far (<see cref="StepCount"/>, PyTorch's last_epoch), so restoring that
/// count from a checkpoint restores the schedule exactly. Subclasses finish construction with <see cref="Start"/>.
/// </summary>
public abstract class LrSchedule
{
    protected LrSchedule(Optimizer optimizer, ScheduleUnit unit)
    {
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        BaseLr = optimizer.LearningRate;
        Unit = unit;
    }

    public Optimizer Optimizer { get; }

    /// <summary>The optimiser's learning rate when the schedule was created (PyTorch's initial_lr).</summary>
    public double BaseLr { get; }

    public ScheduleUnit Unit { get; }

    /// <summary>Steps taken so far; the optimiser's rate is <see cref="LearningRateAt"/>(StepCount).</summary>
    public int StepCount { get; private set; }

    /// <summary>The learning rate after <paramref name="step"/> calls of <see cref="Step"/>.</summary>
    public abstract double LearningRateAt(int step);

    /// <summary>Advances one epoch or batch (see <see cref="Unit"/>) and sets the optimiser's rate.</summary>
    public void Step() => Restore(StepCount + 1);

    /// <summary>Jumps to <paramref name="stepCount"/> steps (for resuming from a checkpoint) and sets the optimiser's
    /// rate. A rate below zero (linear one-cycle's step after the last, as in PyTorch, never used) is set as 0.</summary>
    public void Restore(int stepCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stepCount);
        double lr = LearningRateAt(stepCount);
        Optimizer.LearningRate = Math.Max(lr, 0);
        StepCount = stepCount;
    }

    /// <summary>Sets the optimiser's rate for step 0; call at the end of the subclass constructor.</summary>
    protected void Start() => Restore(0);
}
