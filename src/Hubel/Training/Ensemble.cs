using Hubel.Autograd;
using Hubel.Data;
using Hubel.Nn;
using Hubel.Ops;

namespace Hubel.Training;

/// <summary>How an ensemble combines its members: the class with the highest mean softmax probability, or the
/// class most members predict (ties go to the tied class with the highest mean probability).</summary>
public enum EnsembleMode { AverageProbabilities, MajorityVote }

/// <summary>k trained models that predict together.</summary>
public sealed class Ensemble
{
    public Ensemble(IEnumerable<Module> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        Members = members.ToArray();
        if (Members.Count == 0) throw new ArgumentException("an ensemble needs at least one member", nameof(members));
    }

    public IReadOnlyList<Module> Members { get; }

    /// <summary>Each member's softmax probabilities for a batch [N, ...] in eval mode: [member][n * C + c].</summary>
    private (float[][] Probabilities, int Classes) MemberProbabilities(Tensor images)
    {
        var all = new float[Members.Count][];
        int classes = 0;
        using (Graph.NoGrad())
            for (int m = 0; m < Members.Count; m++)
            {
                var member = Members[m];
                bool wasTraining = member.IsTraining;
                member.Eval();
                var p = F.Softmax(member.Forward(images), 1);
                member.Train(wasTraining);
                if (m > 0 && p.Size(1) != classes) throw new InvalidOperationException($"member {m} predicts {p.Size(1)} classes, member 0 predicts {classes}");
                classes = p.Size(1);
                all[m] = p.ToFloatArray();
            }
        return (all, classes);
    }

    /// <summary>Mean of the members' softmax probabilities, [N, C] as a flat array.</summary>
    public float[] AverageProbabilities(Tensor images)
    {
        var (all, _) = MemberProbabilities(images);
        return Mean(all);
    }

    /// <summary>The predicted class of every image in the batch.</summary>
    public int[] Predict(Tensor images, EnsembleMode mode)
    {
        ArgumentNullException.ThrowIfNull(images);
        var (all, classes) = MemberProbabilities(images);
        var mean = Mean(all);
        int n = mean.Length / classes;
        var result = new int[n];
        var votes = new int[classes];
        for (int i = 0; i < n; i++)
        {
            var row = mean.AsSpan(i * classes, classes);
            if (mode == EnsembleMode.AverageProbabilities)
            {
                result[i] = System.Numerics.Tensors.TensorPrimitives.IndexOfMax<float>(row);
                continue;
            }
            Array.Clear(votes);
            foreach (var p in all) votes[System.Numerics.Tensors.TensorPrimitives.IndexOfMax<float>(p.AsSpan(i * classes, classes))]++;
            int best = 0;
            for (int c = 1; c < classes; c++)
                if (votes[c] > votes[best] || (votes[c] == votes[best] && row[c] > row[best])) best = c;
            result[i] = best;
        }
        return result;
    }

    /// <summary>Fraction of <paramref name="data"/> the ensemble classifies correctly.</summary>
    public double Accuracy(BatchLoader data, EnsembleMode mode)
    {
        ArgumentNullException.ThrowIfNull(data);
        long correct = 0, seen = 0;
        foreach (var (x, y) in data.Epoch())
        {
            var predicted = Predict(x, mode);
            for (int i = 0; i < y.Length; i++) if (predicted[i] == y[i]) correct++;
            seen += y.Length;
        }
        return (double)correct / Math.Max(seen, 1);
    }

    private static float[] Mean(float[][] all)
    {
        var mean = new float[all[0].Length];
        foreach (var p in all) System.Numerics.Tensors.TensorPrimitives.Add(mean, p, mean);
        System.Numerics.Tensors.TensorPrimitives.Multiply(mean, 1f / all.Length, mean);
        return mean;
    }
}
