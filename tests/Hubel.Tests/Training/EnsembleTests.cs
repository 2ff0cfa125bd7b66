using Hubel.Data;
using Hubel.Models;
using Hubel.Nn;
using Hubel.Optim;
using Hubel.Tensors;
using Hubel.Training;

namespace Hubel.Tests.Training;

public class EnsembleTests
{
    /// <summary>A "model" that returns fixed logits whatever the input, so ensemble arithmetic can be checked by hand.</summary>
    private sealed class FixedLogits(float[,] logits) : Module
    {
        public override Tensor Forward(Tensor input) => Tensor.FromArray(logits);
    }

    [Fact]
    public void Mean_probability_and_majority_vote_can_disagree_and_both_are_right()
    {
        // Image 0: members 1 and 2 lean mildly to class 1; member 0 is very sure of class 0.
        // Mean probability picks 0, the vote picks 1. Image 1: all agree on class 2.
        var ensemble = new Ensemble([
            new FixedLogits(new float[,] { { 10, 0, 0 }, { 0, 0, 5 } }),
            new FixedLogits(new float[,] { { 0, 0.5f, 0 }, { 0, 0, 5 } }),
            new FixedLogits(new float[,] { { 0, 0.5f, 0 }, { 0, 0, 5 } }),
        ]);
        var x = Tensor.Zeros([2, 1]);
        Assert.Equal([0, 2], ensemble.Predict(x, EnsembleMode.AverageProbabilities));
        Assert.Equal([1, 2], ensemble.Predict(x, EnsembleMode.MajorityVote));
        var mean = ensemble.AverageProbabilities(x);
        Assert.Equal(6, mean.Length);
        Assert.Equal(1.0, mean[0] + mean[1] + mean[2], 5);
    }

    [Fact]
    public void A_tied_vote_goes_to_the_class_with_the_higher_mean_probability()
    {
        var ensemble = new Ensemble([new FixedLogits(new float[,] { { 3, 0 } }), new FixedLogits(new float[,] { { 0, 1 } })]);
        Assert.Equal([0], ensemble.Predict(Tensor.Zeros([1, 1]), EnsembleMode.MajorityVote));
        Assert.Throws<ArgumentException>(() => new Ensemble([]));
    }

    [Fact]
    public void Training_k_members_reports_each_member_and_the_ensemble()
    {
        var train = TinyData.Train();
        var test = new BatchLoader(TinyData.Test(), 48, shuffle: false);
        var seeds = new List<ulong>();
        var epochs = new List<(int, int)>();
        var result = EnsembleTraining.Train(3, 5, 2, seed =>
        {
            seeds.Add(seed);
            var net = ModelZoo.Create("lenet5", 10, 1, new Rng(seed));
            return (new Trainer(net, new Adam(net.Parameters(), 0.003)), new BatchLoader(train, 32, shuffle: true, rng: new Rng(seed + 1)));
        }, test, onEpoch: (m, r) => epochs.Add((m, r.Epoch)));
        Assert.Equal([5UL, 6, 7], seeds);
        Assert.Equal([(0, 1), (0, 2), (1, 1), (1, 2), (2, 1), (2, 2)], epochs);
        Assert.Equal(3, result.Members.Count);
        Assert.All(result.Members, m => Assert.True(m.History[1].TrainLoss < m.History[0].TrainLoss, $"member {m.Index} did not learn"));
        Assert.All(result.Members, m => Assert.InRange(m.TestAccuracy, 0.0, 1.0));
        Assert.NotEqual(result.Members[0].Trainer.Model.Parameters().First().ToFloatArray(), result.Members[1].Trainer.Model.Parameters().First().ToFloatArray());
        Assert.InRange(result.AverageAccuracy, 0.0, 1.0);
        Assert.Equal(result.VoteAccuracy, result.Ensemble.Accuracy(test, EnsembleMode.MajorityVote));
        Assert.Equal(result.AverageAccuracy, result.Ensemble.Accuracy(test, EnsembleMode.AverageProbabilities));
    }
}
