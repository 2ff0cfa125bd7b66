using Hubel.Optim;
using Hubel.Optim.Schedules;
using Hubel.Tensors;
using Hubel.Training;

namespace Hubel.Cli.Commands;

/// <summary>Builds the optimiser, schedule and trainer that a run's settings describe.</summary>
internal static class TrainSetup
{
    public static Optimizer CreateOptimizer(TrainSettings s, IEnumerable<Tensor> parameters) => s.Optimizer switch
    {
        "sgd" => new Sgd(parameters, s.Lr, s.Momentum, s.WeightDecay, nesterov: s.Nesterov),
        "adam" => new Adam(parameters, s.Lr, weightDecay: s.WeightDecay),
        "adamw" => new AdamW(parameters, s.Lr, weightDecay: s.WeightDecay),
        "rmsprop" => new RmsProp(parameters, s.Lr, weightDecay: s.WeightDecay),
        "adagrad" => new Adagrad(parameters, s.Lr, weightDecay: s.WeightDecay),
        _ => throw new UsageException($"unknown optimizer '{s.Optimizer}'"),
    };

    /// <summary>The schedule, or null for none. Epoch schedules step once per epoch; one-cycle (and a warm-up in front
    /// of it) steps per batch over the whole run.</summary>
    public static LrSchedule? CreateSchedule(TrainSettings s, Optimizer optimizer, int batchesPerEpoch)
    {
        int warmup = s.WarmupEpochs;
        LrSchedule? inner = s.Schedule switch
        {
            "none" => null,
            "step" => new StepLR(optimizer, s.StepSize, s.Gamma),
            "multistep" => new MultiStepLR(optimizer, s.Milestones, s.Gamma),
            "cosine" => new CosineAnnealingLR(optimizer, s.Epochs - warmup),
            "onecycle" => new OneCycleLR(optimizer, s.Lr, (s.Epochs - warmup) * batchesPerEpoch > 1 ? (s.Epochs - warmup) * batchesPerEpoch : throw OneCycleTooShort(s)),
            _ => throw new UsageException($"unknown schedule '{s.Schedule}'"),
        };
        if (warmup == 0) return inner;
        // Warm-up alone is a warm-up in front of a constant rate.
        inner ??= new StepLR(optimizer, int.MaxValue, 1.0);
        return new LinearWarmup(inner, inner.Unit == ScheduleUnit.Batch ? warmup * batchesPerEpoch : warmup);
    }

    private static UsageException OneCycleTooShort(TrainSettings s) =>
        new($"--schedule onecycle needs at least 2 batches after the warm-up; --epochs {s.Epochs}, --warmup-epochs {s.WarmupEpochs}");

    public static Trainer CreateTrainer(TrainSettings s, Hubel.Nn.Module net, Optimizer optimizer, LrSchedule? schedule) =>
        new(net, optimizer) { Schedule = schedule, ClipGradNorm = s.ClipGradNorm, LabelSmoothing = s.LabelSmoothing };
}
