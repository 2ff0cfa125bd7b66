using System.Diagnostics;
using Hubel.Autograd;
using Hubel.Data;
using Hubel.Nn;
using Hubel.Ops;
using Hubel.Optim;

namespace Hubel.Training;

/// <summary>The supervised classification loop: forward, cross-entropy, backward, optimiser step; then
/// evaluation without the tape.</summary>
public sealed class Trainer(Module model, Optimizer optimizer)
{
    public Module Model { get; } = model ?? throw new ArgumentNullException(nameof(model));
    public Optimizer Optimizer { get; } = optimizer ?? throw new ArgumentNullException(nameof(optimizer));

    /// <summary>Trains one epoch over <paramref name="train"/>, then evaluates on <paramref name="test"/>.</summary>
    public EpochReport RunEpoch(int epoch, BatchLoader train, BatchLoader test, Action<BatchProgress>? progress = null)
    {
        Model.Train();
        var clock = Stopwatch.StartNew();
        double lossSum = 0;
        long correct = 0, seen = 0;
        int batch = 0, batches = train.BatchesPerEpoch;
        foreach (var (x, y) in train.Epoch())
        {
            var logits = Model.Forward(x);
            var loss = F.CrossEntropy(logits, y);
            Optimizer.ZeroGrad();
            loss.Backward();
            Optimizer.Step();
            double l = loss.Item();
            if (!double.IsFinite(l))
                throw new InvalidOperationException($"training diverged: loss is {l} at epoch {epoch}, batch {batch + 1}; lower the learning rate");
            lossSum += l * y.Length;
            correct += CountCorrect(logits, y);
            seen += y.Length;
            batch++;
            progress?.Invoke(new BatchProgress(epoch, batch, batches, lossSum / seen, (double)correct / seen, seen / clock.Elapsed.TotalSeconds));
        }
        double seconds = clock.Elapsed.TotalSeconds;
        var eval = Evaluate(Model, test);
        return new EpochReport(epoch, lossSum / Math.Max(seen, 1), (double)correct / Math.Max(seen, 1), eval.Loss, eval.Accuracy,
            seen / seconds, seconds);
    }

    /// <summary>Mean loss, accuracy and confusion matrix (rows: true class, columns: predicted) in eval mode.</summary>
    public static Evaluation Evaluate(Module model, BatchLoader data)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        bool wasTraining = model.IsTraining;
        model.Eval();
        int classes = data.Set.ClassCount;
        var confusion = new int[classes, classes];
        double lossSum = 0;
        long correct = 0, seen = 0;
        using (Graph.NoGrad())
        {
            foreach (var (x, y) in data.Epoch())
            {
                var logits = model.Forward(x);
                lossSum += F.CrossEntropy(logits, y).Item() * y.Length;
                var predicted = ArgMax(logits);
                for (int i = 0; i < y.Length; i++)
                {
                    if (predicted[i] < classes) confusion[y[i], predicted[i]]++;
                    if (predicted[i] == y[i]) correct++;
                }
                seen += y.Length;
            }
        }
        model.Train(wasTraining);
        return new Evaluation(lossSum / Math.Max(seen, 1), (double)correct / Math.Max(seen, 1), (int)seen, confusion);
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
        var predicted = ArgMax(logits.Detach());
        long correct = 0;
        for (int i = 0; i < labels.Length; i++) if (predicted[i] == labels[i]) correct++;
        return correct;
    }
}
