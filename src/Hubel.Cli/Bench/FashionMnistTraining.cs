using System.Diagnostics;
using Hubel.Data;
using Hubel.Nn;
using Hubel.Ops;
using Hubel.Optim;
using Hubel.Tensors;
using Hubel.Training;

namespace Hubel.Cli.Bench;

/// <summary>train_bench.py's lenet and nielsen modes: full Fashion-MNIST, inputs (x/255 - 0.2860)/0.3530, a seeded
/// shuffle per epoch, and per batch forward, cross-entropy, zero_grad, backward, step; img/s over the training loop
/// only, then the test accuracy (batches of 1000, not timed). Hubel and the peer alternate run by run, and the
/// medians over all runs and epochs are reported.</summary>
internal static class FashionMnistTraining
{
    internal sealed record Recipe(string Workload, string PeerMode, int BatchSize, Func<Rng, Module> Model, Func<Module, Optimizer> Optimizer);

    internal sealed record EpochFigures(double ImagesPerSecond, double TestAccuracy);

    public static void Run(BenchContext ctx, Recipe recipe, int epochs)
    {
        var data = Load(ctx);
        var peer = ctx.PeerRunner;
        var hubel = new List<EpochFigures>();
        var theirs = new List<EpochFigures>();
        for (int run = 0; run < ctx.Runs; run++)
        {
            int seed = ctx.Seed + run;
            BenchContext.Progress($"{recipe.Workload} run {run + 1}/{ctx.Runs}: Hubel, {epochs} epoch(s) of {data.Train.Count} images");
            hubel.AddRange(Hubel(recipe, data, seed, epochs));
            if (peer is null) continue;
            BenchContext.Progress($"{recipe.Workload} run {run + 1}/{ctx.Runs}: {peer.Kind}");
            theirs.AddRange(Peer(peer, recipe, seed, epochs));
        }
        double? peerRate = Timing.MedianOrNull(theirs.Select(e => e.ImagesPerSecond).ToArray());
        double? peerAcc = Timing.MedianOrNull(theirs.Select(e => e.TestAccuracy).ToArray());
        ctx.Emit(new BenchRow(recipe.Workload, $"train batch {recipe.BatchSize}", Timing.Median(hubel.Select(e => e.ImagesPerSecond)), peerRate, "img/s"));
        ctx.Emit(new BenchRow(recipe.Workload, $"test accuracy after {epochs} epoch(s)", Timing.Median(hubel.Select(e => e.TestAccuracy)), peerAcc, "accuracy"));
    }

    private static TrainTestSplit Load(BenchContext ctx)
    {
        if (ctx.Quick)
        {
            // A smoke run: the shipped subset, cut to a few batches.
            var shipped = FashionMnist.LoadShipped();
            return new TrainTestSplit(shipped.Train.Subset([.. Enumerable.Range(0, 200)]), shipped.Test.Subset([.. Enumerable.Range(0, 100)]));
        }
        return FashionMnist.Load(ctx.DataDir ?? FashionMnist.DefaultSystemDirectory);
    }

    private static IEnumerable<EpochFigures> Hubel(Recipe recipe, TrainTestSplit data, int seed, int epochs)
    {
        var model = recipe.Model(new Rng((ulong)seed));
        var optimizer = recipe.Optimizer(model);
        var train = new BatchLoader(data.Train, recipe.BatchSize, shuffle: true, rng: new Rng((ulong)seed + 1000));
        var test = new BatchLoader(data.Test, 1000, shuffle: false);
        var result = new List<EpochFigures>();
        for (int e = 0; e < epochs; e++)
        {
            model.Train();
            var clock = Stopwatch.StartNew();
            Tensor? loss = null;
            foreach (var (x, y) in train.Epoch())
            {
                loss = F.CrossEntropy(model.Forward(x), y);
                optimizer.ZeroGrad();
                loss.Backward();
                optimizer.Step();
            }
            double lastLoss = loss?.Item() ?? double.NaN;   // as the peer: one .item() at the end of the epoch
            double seconds = clock.Elapsed.TotalSeconds;
            if (!double.IsFinite(lastLoss)) throw new InvalidOperationException($"{recipe.Workload}: training diverged (loss {lastLoss})");
            result.Add(new EpochFigures(data.Train.Count / seconds, Trainer.Evaluate(model, test).Accuracy));
        }
        return result;
    }

    private static IEnumerable<EpochFigures> Peer(PeerProcess peer, Recipe recipe, int seed, int epochs)
    {
        string s = seed.ToString(System.Globalization.CultureInfo.InvariantCulture), e = epochs.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (peer.Kind == PeerKind.PyTorch)
            return peer.RunPython("train_bench.py", recipe.PeerMode, s, e).Select(l => new EpochFigures(l.Number("img_per_s"), l.Number("test_acc")));
        if (recipe.PeerMode != "lenet")
        {
            BenchContext.Progress($"{recipe.Workload}: the TorchSharp peer has no '{recipe.PeerMode}' mode; no peer figure");
            return [];
        }
        return peer.RunTorchSharp("lenet", s, e).Select(l => new EpochFigures(l.Number("img_per_s"), l.Number("test_acc")));
    }
}
