using System.Diagnostics;
using Hubel.Autograd;
using Hubel.Data;
using Hubel.Nn;
using Hubel.Ops;
using Hubel.Optim;
using Hubel.Optim.Schedules;
using Hubel.Tensors;

namespace Hubel.Training;

/// <summary>The supervised classification loop. Each batch: forward, cross-entropy (optionally label-smoothed),
/// backward, <see cref="AfterBackward"/> (e.g. a gradient all-reduce), gradient clipping, optimiser step,
/// weight constraints (<see cref="IWeightConstraint"/>) and a per-batch schedule step; after the epoch, a per-epoch
/// schedule step and evaluation without the tape.</summary>
public sealed class Trainer(Module model, Optimizer optimizer)
{
    private readonly double _labelSmoothing, _clipGradNorm, _clipGradValue;

    public Module Model { get; } = model ?? throw new ArgumentNullException(nameof(model));
    public Optimizer Optimizer { get; } = optimizer ?? throw new ArgumentNullException(nameof(optimizer));

    // Modules with a weight constraint (TextCNN's max-norm), re-imposed after every step.
    private readonly IWeightConstraint[] _constraints = [.. model.NamedModules().Select(m => m.Module).OfType<IWeightConstraint>()];

    /// <summary>Learning-rate schedule stepped after each batch or each epoch (its <see cref="LrSchedule.Unit"/>).</summary>
    public LrSchedule? Schedule
    {
        get;
        init
        {
            if (value is not null && value.Optimizer != Optimizer) throw new ArgumentException("the schedule drives a different optimizer", nameof(value));
            field = value;
        }
    }

    /// <summary>Label smoothing of the training loss, in [0, 1); evaluation losses are never smoothed.</summary>
    public double LabelSmoothing
    {
        get => _labelSmoothing;
        init => _labelSmoothing = value >= 0 && value < 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), $"label smoothing must be in [0, 1); got {value}");
    }

    /// <summary>When &gt; 0, the gradients' global 2-norm is clipped to this before each step.</summary>
    public double ClipGradNorm
    {
        get => _clipGradNorm;
        init => _clipGradNorm = value >= 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), $"gradient-norm limit must be a finite number >= 0 (0: off); got {value}");
    }

    /// <summary>When &gt; 0, every gradient element is clamped to ±this before each step.</summary>
    public double ClipGradValue
    {
        get => _clipGradValue;
        init => _clipGradValue = value >= 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), $"gradient-value limit must be a finite number >= 0 (0: off); got {value}");
    }

    /// <summary>Runs after backward and before clipping and the optimiser step, with gradients in place.</summary>
    public Action<Trainer>? AfterBackward { get; set; }

    /// <summary>Opens a scope around each backward pass (data-parallel training sends gradients from inside it while
    /// the pass goes on); null: none.</summary>
    public Func<IDisposable>? AroundBackward { get; set; }

    /// <summary>Trains one epoch over <paramref name="train"/>, then evaluates on <paramref name="validation"/> (if given)
    /// and <paramref name="test"/>.</summary>
    public EpochReport RunEpoch(int epoch, BatchLoader train, BatchLoader test, Action<BatchProgress>? progress = null, BatchLoader? validation = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        double learningRate = Optimizer.LearningRate;
        Model.Train();
        var clock = Stopwatch.StartNew();
        double lossSum = 0;
        long correct = 0, seen = 0;
        int batch = 0, batches = train.BatchesPerEpoch;
        // Each batch is done with before the next is drawn, so the loader can refill one array (unless a ForwardTrace
        // keeps the layers' inputs).
        foreach (var (x, y) in train.Epoch(reuseBuffers: ForwardTrace.Current is null))
        {
            var (l, logits) = TrainStep(x, y);
            if (!double.IsFinite(l))
                throw new InvalidOperationException($"training diverged: loss is {l} at epoch {epoch}, batch {batch + 1}; lower the learning rate");
            lossSum += l * y.Length;
            correct += CountCorrect(logits, y);
            seen += y.Length;
            batch++;
            progress?.Invoke(new BatchProgress(epoch, batch, batches, lossSum / seen, (double)correct / seen, seen / clock.Elapsed.TotalSeconds));
        }
        FinishEpoch();
        double seconds = clock.Elapsed.TotalSeconds;
        var val = validation is null ? null : Evaluate(Model, validation);
        var eval = Evaluate(Model, test);
        return new EpochReport(epoch, lossSum / Math.Max(seen, 1), (double)correct / Math.Max(seen, 1), eval.Loss, eval.Accuracy,
            seen / seconds, seconds, val?.Loss ?? double.NaN, val?.Accuracy ?? double.NaN, learningRate);
    }

    /// <summary>One optimisation step on a batch; returns the batch's (smoothed) loss and its logits.</summary>
    /// <remarks>With <see cref="PoolMemory"/> the step runs in a <see cref="MemoryScope"/>: activations, saved tensors and
    /// intermediate gradients go back to the pool at its end; the returned logits, the gradients, the optimiser state
    /// and the model's state are kept.</remarks>
    public (double Loss, Tensor Logits) TrainStep(Tensor images, int[] labels)
    {
        // Not under a ForwardTrace that keeps outputs: those tensors would outlive the step unmarked.
        using var scope = PoolMemory && ForwardTrace.Current is null ? MemoryScope.Begin() : null;
        var logits = Model.Forward(images);
        var loss = F.CrossEntropy(logits, labels, LabelSmoothing);
        Optimizer.ZeroGrad(setToNone: !PoolMemory);
        using (AroundBackward?.Invoke()) loss.Backward();
        AfterBackward?.Invoke(this);
        if (ClipGradNorm > 0) GradClip.ClipGradNorm(Optimizer.Parameters, ClipGradNorm);
        if (ClipGradValue > 0) GradClip.ClipGradValue(Optimizer.Parameters, ClipGradValue);
        Optimizer.Step();
        foreach (var constraint in _constraints) constraint.ApplyConstraint();
        if (Schedule?.Unit == ScheduleUnit.Batch) Schedule.Step();
        double lossValue = loss.Item();
        var kept = logits.Detach();
        if (scope is not null)
        {
            scope.Keep(kept);
            scope.KeepTrainingState(Model, Optimizer);
        }
        return (lossValue, kept);
    }

    /// <summary>Steps a per-epoch schedule. <see cref="RunEpoch"/> calls it after the last batch; loops that drive
    /// <see cref="TrainStep"/> themselves (data-parallel training) call it at the end of each epoch.</summary>
    public void FinishEpoch()
    {
        if (Schedule?.Unit == ScheduleUnit.Epoch) Schedule.Step();
    }

    /// <summary>Whether each step recycles its tensors' storage through a <see cref="MemoryScope"/> and zeroes gradients in
    /// place instead of dropping them (default true; false allocates every step, as before pooling existed).</summary>
    public bool PoolMemory { get; init; } = true;

    /// <summary>Mean loss, accuracy and confusion matrix (rows: true class, columns: predicted) in eval mode.</summary>
    public static Evaluation Evaluate(Module model, BatchLoader data)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        bool wasTraining = model.IsTraining;
        model.Eval();
        var tally = new EvaluationTally(data.Set.ClassCount);
        using (Graph.NoGrad())
        {
            foreach (var (x, y) in data.Epoch(reuseBuffers: ForwardTrace.Current is null))
            {
                // Nothing of a batch outlives it (only numbers are read out), unless a ForwardTrace keeps outputs.
                using var scope = ForwardTrace.Current is null ? MemoryScope.Begin() : null;
                var logits = model.Forward(x);
                tally.AddLoss(F.CrossEntropy(logits, y).Item() * y.Length);
                var predicted = ArgMax(logits);
                for (int i = 0; i < y.Length; i++) tally.Add(y[i], predicted[i]);
            }
        }
        model.Train(wasTraining);
        return tally.Result();
    }

    /// <summary>Index of the largest logit in each row of [N, C].</summary>
    public static int[] ArgMax(Tensor logits)
    {
        var values = logits.ToFloatArray();
        int n = logits.Size(0), c = logits.Size(1);
        var result = new int[n];
        for (int i = 0; i < n; i++)
            result[i] = System.Numerics.Tensors.TensorPrimitives.IndexOfMax<float>(values.AsSpan(i * c, c));
        return result;
    }

    private static long CountCorrect(Tensor logits, int[] labels)
    {
        var predicted = ArgMax(logits);
        long correct = 0;
        for (int i = 0; i < labels.Length; i++) if (predicted[i] == labels[i]) correct++;
        return correct;
    }
}
