using System.Diagnostics;
using Hubel.Analysis;
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

    /// <summary>One epoch: speed, accuracy, and (Hubel only) managed-heap bytes allocated per training step on all threads
    /// and the garbage collections of each generation during the epoch's training loop.</summary>
    internal sealed record EpochFigures(double ImagesPerSecond, double TestAccuracy, double BytesPerStep = double.NaN,
        double StepBytesPerStep = double.NaN, int Gen0 = 0, int Gen1 = 0, int Gen2 = 0);

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
            hubel.AddRange(Hubel(recipe, data, seed, epochs, ctx.Profile));
            if (peer is null) continue;
            BenchContext.Progress($"{recipe.Workload} run {run + 1}/{ctx.Runs}: {peer.Kind}");
            theirs.AddRange(Peer(peer, recipe, seed, epochs));
        }
        double? peerRate = Timing.MedianOrNull(theirs.Select(e => e.ImagesPerSecond).ToArray());
        double? peerAcc = Timing.MedianOrNull(theirs.Select(e => e.TestAccuracy).ToArray());
        ctx.Emit(new BenchRow(recipe.Workload, $"train batch {recipe.BatchSize}", Timing.Median(hubel.Select(e => e.ImagesPerSecond)), peerRate, "img/s"));
        ctx.Emit(new BenchRow(recipe.Workload, $"test accuracy after {epochs} epoch(s)", Timing.Median(hubel.Select(e => e.TestAccuracy)), peerAcc, "accuracy"));
        // Memory (no peer figure): the median epoch's managed allocation per step, and the GC collections per generation
        // in the case text (a row's figure must be > 0, and a quiet epoch collects nothing in gen2).
        var gc = hubel.MaxBy(e => e.Gen0 + e.Gen1 + e.Gen2)!;
        ctx.Emit(new BenchRow(recipe.Workload, "managed KiB allocated per step after the first, forward to optimiser step", Timing.Median(hubel.Select(e => e.StepBytesPerStep / 1024)), null, "KiB"));
        ctx.Emit(new BenchRow(recipe.Workload, $"managed KiB allocated per step, all threads, the loader included; GC collections in the worst epoch: gen0 {gc.Gen0}, gen1 {gc.Gen1}, gen2 {gc.Gen2}",
            Timing.Median(hubel.Select(e => e.BytesPerStep / 1024)), null, "KiB"));
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

    private static IEnumerable<EpochFigures> Hubel(Recipe recipe, TrainTestSplit data, int seed, int epochs, bool profile)
    {
        var model = recipe.Model(new Rng((ulong)seed));
        var optimizer = recipe.Optimizer(model);
        var train = new BatchLoader(data.Train, recipe.BatchSize, shuffle: true, rng: new Rng((ulong)seed + 1000));
        var test = new BatchLoader(data.Test, 1000, shuffle: false);
        var result = new List<EpochFigures>();
        for (int e = 0; e < epochs; e++)
        {
            model.Train();
            var gc = (Gen0: GC.CollectionCount(0), Gen1: GC.CollectionCount(1), Gen2: GC.CollectionCount(2));
            long allocated = GC.GetTotalAllocatedBytes(precise: false);
            int steps = 0;
            long stepBytes = 0;
            OpProfiler.Reset();
            var clock = Stopwatch.StartNew();
            double lastLoss = double.NaN;
            foreach (var (x, y) in train.Epoch(reuseBuffers: true))
            {
                // Each step recycles its activations and gradients through the pool. The peer calls
                // zero_grad(set_to_none=True); here the gradient tensors are kept and zeroed in place instead: with
                // set-to-none every step takes fresh gradient arrays from the heap (LeNet-5: 288 KiB a step against 48),
                // at about the same speed (alternated runs within the host's spread).
                long before = GC.GetAllocatedBytesForCurrentThread();
                OpProfiler.Mark();   // the loader's batch is not the first forward op's time
                using (var scope = MemoryScope.Begin())
                {
                    var loss = F.CrossEntropy(model.Forward(x), y);
                    optimizer.ZeroGrad(setToNone: false);
                    loss.Backward();
                    optimizer.Step();
                    scope.KeepTrainingState(model, optimizer);
                    if (++steps == train.BatchesPerEpoch) lastLoss = loss.Item();   // as the peer: one .item() at the end of the epoch
                }
                if (steps > 1 || train.BatchesPerEpoch == 1) stepBytes += GC.GetAllocatedBytesForCurrentThread() - before;   // the first step fills the pool
            }
            double seconds = clock.Elapsed.TotalSeconds;
            if (profile) BenchContext.Progress($"{recipe.Workload} epoch {e + 1}: where a step's time goes, mean of {steps} steps (wall includes the loader)\n{OpProfiler.Format(Math.Max(1, steps), seconds * 1000 / Math.Max(1, steps))}");
            double bytesPerStep = (double)(GC.GetTotalAllocatedBytes(precise: false) - allocated) / Math.Max(1, steps);
            var gcAfter = (Gen0: GC.CollectionCount(0), Gen1: GC.CollectionCount(1), Gen2: GC.CollectionCount(2));
            if (!double.IsFinite(lastLoss)) throw new InvalidOperationException($"{recipe.Workload}: training diverged (loss {lastLoss})");
            result.Add(new EpochFigures(data.Train.Count / seconds, Trainer.Evaluate(model, test).Accuracy, bytesPerStep,
                (double)stepBytes / Math.Max(1, train.BatchesPerEpoch == 1 ? steps : steps - 1), gcAfter.Gen0 - gc.Gen0, gcAfter.Gen1 - gc.Gen1, gcAfter.Gen2 - gc.Gen2));
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
