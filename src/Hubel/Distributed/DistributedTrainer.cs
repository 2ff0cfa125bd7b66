using System.Diagnostics;
using Hubel.Nn;
using Hubel.Optim;
using Hubel.Training;

namespace Hubel.Distributed;

/// <summary>What one rank's epoch achieved, with loss and accuracy over all ranks' images.</summary>
/// <param name="Images">images trained on by all ranks together.</param>
/// <param name="ExposedCommSeconds">this rank's time waiting for gradient all-reduces after backward.</param>
public sealed record DistributedEpochStats(int Epoch, double TrainLoss, double TrainAccuracy, long Images, double Seconds,
    int Steps, double ExposedCommSeconds)
{
    public double ImagesPerSecond => Images / Math.Max(Seconds, 1e-9);
}

/// <summary>
/// Data-parallel training: every rank holds the whole model, runs forward and backward on its shard of each global
/// batch, the <see cref="GradientReducer"/> averages the gradients (overlapping backward), and every rank takes the
/// same optimiser step, so the weights stay identical. Each rank's loss is the mean over its local batch, so the
/// averaged gradient equals the gradient of the mean loss over the global batch. The step itself is the
/// <see cref="Training.Trainer"/>'s, so label smoothing, gradient clipping (of the averaged gradients) and learning-rate
/// schedules act exactly as in one process.
/// </summary>
public sealed class DistributedTrainer
{
    public DistributedTrainer(Module model, Optimizer optimizer, ICommunicator comm, GradientReducer reducer)
        : this(new Trainer(model, optimizer), comm, reducer)
    {
    }

    /// <param name="trainer">the single-process step; its <see cref="Trainer.AroundBackward"/> and
    /// <see cref="Trainer.AfterBackward"/> are taken over by the gradient all-reduce.</param>
    public DistributedTrainer(Trainer trainer, ICommunicator comm, GradientReducer reducer)
    {
        Trainer = trainer ?? throw new ArgumentNullException(nameof(trainer));
        Communicator = comm ?? throw new ArgumentNullException(nameof(comm));
        Reducer = reducer ?? throw new ArgumentNullException(nameof(reducer));
        if (trainer.AroundBackward is not null || trainer.AfterBackward is not null)
            throw new ArgumentException("the trainer already has backward hooks; distributed training needs them for the gradient all-reduce", nameof(trainer));
        trainer.AroundBackward = reducer.Backward;
        trainer.AfterBackward = _ => reducer.Finish();
    }

    public Trainer Trainer { get; }
    public Module Model => Trainer.Model;
    public Optimizer Optimizer => Trainer.Optimizer;
    public ICommunicator Communicator { get; }
    public GradientReducer Reducer { get; }

    /// <summary>Copies rank 0's parameters and buffers to every rank, so all start from the same weights.</summary>
    public void BroadcastFromRank0() => ModelSync.Broadcast(Communicator, Model, root: 0);

    /// <summary>Trains one epoch over this rank's shards, then steps a per-epoch schedule and averages the buffers
    /// (batch norm's running statistics) over the ranks.</summary>
    public DistributedEpochStats RunEpoch(int epoch, ShardLoader train)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Sampler.WorldSize != Communicator.WorldSize || train.Sampler.Rank != Communicator.Rank)
            throw new ArgumentException($"the sampler is for rank {train.Sampler.Rank} of {train.Sampler.WorldSize}, this process is rank {Communicator.Rank} of {Communicator.WorldSize}", nameof(train));
        Model.Train();
        Reducer.ExposedSeconds = 0;
        var clock = Stopwatch.StartNew();
        double lossSum = 0, correct = 0, seen = 0;
        int steps = 0;
        foreach (var (x, y) in train.Epoch(epoch))
        {
            var (l, logits) = Trainer.TrainStep(x, y);
            if (!double.IsFinite(l))
                throw new InvalidOperationException($"training diverged on rank {Communicator.Rank}: loss is {l} at epoch {epoch}, step {steps + 1}; lower the learning rate");
            lossSum += l * y.Length;
            var predicted = Trainer.ArgMax(logits);
            for (int i = 0; i < y.Length; i++) if (predicted[i] == y[i]) correct++;
            seen += y.Length;
            steps++;
        }
        Trainer.FinishEpoch();
        // Every rank leaves the epoch with the same running statistics, so evaluation and the saved model agree.
        ModelSync.AverageBuffers(Communicator, Model);
        double seconds = clock.Elapsed.TotalSeconds;
        Span<double> totals = [lossSum, correct, seen];
        Communicator.AllReduceSum(totals);
        return new DistributedEpochStats(epoch, totals[0] / Math.Max(totals[2], 1), totals[1] / Math.Max(totals[2], 1), (long)totals[2],
            seconds, steps, Reducer.ExposedSeconds);
    }
}
