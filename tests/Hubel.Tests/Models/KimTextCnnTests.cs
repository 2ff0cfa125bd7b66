using Hubel.Models;
using Hubel.Nn.Layers;
using Hubel.Optim;
using Hubel.Tensors;
using Hubel.Training;

namespace Hubel.Tests.Models;

/// <summary>Kim's (2014) CNN-rand / static / non-static / multichannel: which tables exist and train, parameter counts
/// by hand, the multichannel sum, and the max-norm constraint applied by the trainer.</summary>
public class KimTextCnnTests
{
    private const int Vocab = 50, Dim = 10, Classes = 2;

    private static Tensor Pretrained() => Tensor.Normal([Vocab, Dim], 0, 0.5, new Rng(40));

    // Two classes of 7-word sentences: tokens 1..20 and 25..44, with a shared word to make it less trivial.
    private static readonly int[] Tokens = [1, 2, 3, 4, 5, 6, 49, 25, 26, 27, 28, 29, 30, 49, 7, 8, 9, 10, 11, 12, 13, 31, 32, 33, 34, 35, 36, 37];
    private static readonly int[] Labels = [0, 1, 0, 1];
    private static Tensor Sentences() => Tensor.FromArray(Tokens.Select(t => (float)t).ToArray(), [4, 7]);

    [Theory]
    [InlineData(TextCnnMode.Rand, 13_402, 13_402)]
    [InlineData(TextCnnMode.Static, 13_402, 12_902)]
    [InlineData(TextCnnMode.NonStatic, 13_402, 13_402)]
    [InlineData(TextCnnMode.Multichannel, 13_902, 13_402)]
    public void Parameter_counts_match_a_hand_count(TextCnnMode mode, long total, long trainable)
    {
        // Table 50·10 = 500 (twice for multichannel); convs 10·100·h + 100 for h = 3, 4, 5: 12,300; FC 300·2 + 2 = 602.
        var net = new TextCnn(Pretrained(), mode, Classes, rng: new Rng(1));
        Assert.Equal(total, net.ParameterCount());
        Assert.Equal(trainable, net.TrainableParameters().Sum(p => (long)p.Numel));
        Assert.Equal(mode, net.Mode);
        Assert.Equal([4, Classes], net.Call(Sentences()).Shape.ToArray());
        Assert.Equal([4, Classes], net.ForwardTokens(Tokens, 4).Shape.ToArray());
        var names = net.NamedParameters().Select(p => p.Name).ToArray();
        Assert.Equal(mode == TextCnnMode.Multichannel, names.Contains("static_embedding.weight"));
        Assert.Equal("embedding.weight", names[0]);
        Assert.Equal(3.0, net.MaxNorm);
    }

    [Fact]
    public void Static_tables_stay_fixed_under_sgd_with_momentum_and_weight_decay_while_the_fine_tuned_one_moves()
    {
        var pretrained = Pretrained();
        var net = new TextCnn(pretrained, TextCnnMode.Multichannel, Classes, rng: new Rng(2));
        var staticBefore = net.StaticEmbedding!.Weight.ToDoubleArray();
        Assert.Equal(pretrained.ToDoubleArray(), staticBefore);
        Assert.Equal(pretrained.ToDoubleArray(), net.Embedding!.Weight.ToDoubleArray());   // both channels start pretrained
        var trainer = new Trainer(net, new Sgd(net.Parameters(), 0.1, momentum: 0.9, weightDecay: 1e-3));
        double first = Loss(net);
        for (int i = 0; i < 8; i++) trainer.TrainStep(Sentences(), Labels);
        Assert.Equal(staticBefore, net.StaticEmbedding.Weight.ToDoubleArray());
        Assert.Null(net.StaticEmbedding.Weight.Grad);
        Assert.NotEqual(staticBefore, net.Embedding.Weight.ToDoubleArray());
        double last = Loss(net);
        Assert.True(last < first, $"loss {first} -> {last}");

        var fixedOnly = new TextCnn(pretrained, TextCnnMode.Static, Classes, rng: new Rng(2));
        var fixedTrainer = new Trainer(fixedOnly, new Sgd(fixedOnly.Parameters(), 0.1, momentum: 0.9, weightDecay: 1e-3));
        double before = Loss(fixedOnly);
        for (int i = 0; i < 8; i++) fixedTrainer.TrainStep(Sentences(), Labels);
        Assert.Equal(pretrained.ToDoubleArray(), fixedOnly.Embedding!.Weight.ToDoubleArray());
        Assert.True(Loss(fixedOnly) < before);
    }

    [Fact]
    public void Multichannel_adds_the_two_channels_filter_responses()
    {
        // Both tables start as P, so "each filter applied to both channels and the results added" equals one convolution
        // of 2P with the same filters (bias once): a non-static net built on 2P with the same seed gives the same logits.
        var p = Pretrained();
        var multi = new TextCnn(p, TextCnnMode.Multichannel, Classes, rng: new Rng(3));
        var twice = new TextCnn(Tensor.FromArray(p.ToFloatArray().Select(v => v + v).ToArray(), [Vocab, Dim]), TextCnnMode.NonStatic, Classes, rng: new Rng(3));
        multi.Eval();
        twice.Eval();
        Assert.Equal(twice.Call(Sentences()).ToDoubleArray(), multi.Call(Sentences()).ToDoubleArray());
    }

    [Fact]
    public void Rand_mode_draws_a_table_with_the_pretrained_variance()
    {
        var p = Tensor.Normal([400, 25], 0, 2, new Rng(5));
        var net = new TextCnn(p, TextCnnMode.Rand, Classes, rng: new Rng(6));
        var w = net.Embedding!.Weight.ToDoubleArray();
        double a = Math.Sqrt(3 * Variance(p.ToDoubleArray()));
        Assert.All(w, v => Assert.InRange(v, -a, a));
        Assert.InRange(Variance(w) / Variance(p.ToDoubleArray()), 0.9, 1.1);
        Assert.True(net.Embedding.IsTrainable);
    }

    [Fact]
    public void Trainer_applies_the_max_norm_constraint_after_each_step()
    {
        var net = new TextCnn(Pretrained(), TextCnnMode.NonStatic, Classes, maxNorm: 0.1, rng: new Rng(7));
        Assert.Contains(RowNorms(net.Fc.Weight), n => n > 0.1);   // U(±1/√300) rows have norm ≈ 0.58
        var trainer = new Trainer(net, new Sgd(net.Parameters(), 0.05));
        trainer.TrainStep(Sentences(), Labels);
        Assert.All(RowNorms(net.Fc.Weight), n => Assert.InRange(n, 0.09, 0.1 + 1e-6));
        var unconstrained = new TextCnn(Pretrained(), TextCnnMode.NonStatic, Classes, maxNorm: null, rng: new Rng(7));
        var norms = RowNorms(unconstrained.Fc.Weight);
        unconstrained.ApplyConstraint();
        Assert.Equal(norms, RowNorms(unconstrained.Fc.Weight));
    }

    [Fact]
    public void Bad_tables_and_limits_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new TextCnn(Tensor.Zeros([5]), TextCnnMode.Static, 2));
        Assert.Throws<ArgumentException>(() => new TextCnn(Tensor.Full([3, 4], double.NaN), TextCnnMode.Static, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TextCnn(Pretrained(), TextCnnMode.PreEmbedded, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TextCnn(Pretrained(), TextCnnMode.Static, 2, maxNorm: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TextCnn(Pretrained(), (TextCnnMode)42, 2));
        Assert.Throws<ArgumentException>(() => Embedding.FromPretrained(Tensor.Zeros([0, 3])));
    }

    [Fact]
    public void Embedding_from_pretrained_copies_and_freezes()
    {
        var source = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, [3, 2]);
        var frozen = Embedding.FromPretrained(source);
        var tuned = Embedding.FromPretrained(source, freeze: false);
        source.CopyFrom(Tensor.Zeros([3, 2]));
        Assert.Equal([5.0, 6.0, 1.0, 2.0], frozen.Forward([2, 0]).ToDoubleArray());
        Assert.False(frozen.IsTrainable);
        Assert.True(tuned.IsTrainable);
        Assert.Empty(frozen.TrainableParameters());
        Assert.Single(frozen.Parameters());   // still saved and loaded by name
        Assert.Contains("frozen", frozen.ExtraRepr());
    }

    private static double Loss(TextCnn net)
    {
        net.Eval();
        double loss = Hubel.Ops.F.CrossEntropy(net.Call(Sentences()), Labels).Item();
        net.Train();
        return loss;
    }

    private static double[] RowNorms(Tensor w)
    {
        var v = w.ToDoubleArray();
        int cols = w.Size(1);
        return Enumerable.Range(0, w.Size(0)).Select(r => Math.Sqrt(v.Skip(r * cols).Take(cols).Sum(x => x * x))).ToArray();
    }

    private static double Variance(double[] v)
    {
        double mean = v.Average();
        return v.Sum(x => (x - mean) * (x - mean)) / v.Length;
    }
}
