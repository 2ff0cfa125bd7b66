using System.Diagnostics;
using System.Globalization;
using Hubel.Analysis;
using Hubel.Models;
using Hubel.Ops;
using Hubel.Optim;
using Hubel.Tensors;
using Hubel.Training;

namespace Hubel.Cli.Bench;

/// <summary>train_bench.py's resnet mode: ResNet-20 (option-A shortcuts), one fixed synthetic batch of 128 3x32x32
/// images and random labels, SGD lr 0.1 momentum 0.9 weight decay 1e-4; 5 warm-up steps, then the mean time of 50
/// steps (forward, cross-entropy, zero_grad, backward, step). Hubel and the peer alternate run by run.</summary>
internal static class ResNetTrainBench
{
    public const string Name = "resnet20-train";

    public static void Run(BenchContext ctx)
    {
        var peer = ctx.PeerRunner;
        var hubel = new List<double>();
        var theirs = new List<double>();
        int batch = ctx.Quick ? 4 : 128;
        for (int run = 0; run < ctx.Runs; run++)
        {
            int seed = ctx.Seed + run;
            BenchContext.Progress($"{Name} run {run + 1}/{ctx.Runs}: Hubel");
            hubel.Add(Hubel(seed, batch, ctx.Quick ? 1 : 5, ctx.Quick ? 2 : 50, ctx.Profile));
            if (peer is null) continue;
            BenchContext.Progress($"{Name} run {run + 1}/{ctx.Runs}: {peer.Kind}");
            string s = seed.ToString(CultureInfo.InvariantCulture);
            var lines = peer.Kind == PeerKind.PyTorch ? peer.RunPython("train_bench.py", "resnet", s) : peer.RunTorchSharp("resnet", s);
            theirs.AddRange(lines.Select(l => l.Number("ms_per_step")));
        }
        ctx.Emit(new BenchRow(Name, $"train step batch {batch}", Timing.Median(hubel), Timing.MedianOrNull(theirs), "ms"));
    }

    /// <summary>Milliseconds per training step.</summary>
    private static double Hubel(int seed, int batch, int warmup, int steps, bool profile)
    {
        var rng = new Rng((ulong)seed);
        var model = new ResNetCifar(20, rng: rng);
        var optimizer = new Sgd(model.Parameters(), lr: 0.1, momentum: 0.9, weightDecay: 1e-4);
        var x = Tensor.Normal([batch, 3, 32, 32], 0, 1, rng);
        var y = Enumerable.Range(0, batch).Select(_ => rng.NextInt(10)).ToArray();
        void Step()
        {
            // Each step's temporaries go back to the pool at its end, as in Trainer.TrainStep (what `hubel train` runs).
            using var scope = MemoryScope.Begin();
            var loss = F.CrossEntropy(model.Forward(x), y);
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.Step();
            scope?.KeepTrainingState(model, optimizer);
        }
        for (int i = 0; i < warmup; i++) Step();
        OpProfiler.Reset();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) Step();
        double ms = clock.Elapsed.TotalMilliseconds / steps;
        if (profile) BenchContext.Progress($"{Name}: where a step's time goes, mean of {steps} steps\n{OpProfiler.Format(steps, ms)}");
        return ms;
    }
}
