using System.Diagnostics;
using Hubel.Nn;
using Hubel.Ops;
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
/// averaged gradient equals the gradient of the mean loss over the global batch.
/// </summary>
public sealed class DistributedTrainer(Module model, Optimizer optimizer, ICommunicator comm, GradientReducer reducer)
{
    public Module Model { get; } = model ?? throw new ArgumentNullException(nameof(model));
    public Optimizer Optimizer { get; } = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
    public ICommunicator Communicator { get; } = comm ?? throw new ArgumentNullException(nameof(comm));
    public GradientReducer Reducer { get; } = reducer ?? throw new ArgumentNullException(nameof(reducer));

    /// <summary>Copies rank 0's parameters and buffers to every rank, so all start from the same weights.</summary>
    public void BroadcastFromRank0() => ModelSync.Broadcast(Communicator, Model, root: 0);

    /// <summary>Trains one epoch over this rank's shards.</summary>
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
            var logits = Model.Forward(x);
            var loss = F.CrossEntropy(logits, y);
            Optimizer.ZeroGrad();
            using (Reducer.Backward()) loss.Backward();
            Reducer.Finish();
            Optimizer.Step();
            double l = loss.Item();
            if (!double.IsFinite(l))
                throw new InvalidOperationException($"training diverged on rank {Communicator.Rank}: loss is {l} at epoch {epoch}, step {steps + 1}; lower the learning rate");
            lossSum += l * y.Length;
            var predicted = Trainer.ArgMax(logits.Detach());
            for (int i = 0; i < y.Length; i++) if (predicted[i] == y[i]) correct++;
            seen += y.Length;
            steps++;
        }
        double seconds = clock.Elapsed.TotalSeconds;
        Span<double> totals = [lossSum, correct, seen];
        Communicator.AllReduceSum(totals);
        return new DistributedEpochStats(epoch, totals[0] / Math.Max(totals[2], 1), totals[1] / Math.Max(totals[2], 1), (long)totals[2],
            seconds, steps, Reducer.ExposedSeconds);
    }
}
