using System.Diagnostics;
using Hubel.Autograd;
using Hubel.Models;
using Hubel.Nn;
using Hubel.Tensors;

namespace Hubel.Cli.Bench;

/// <summary>train_bench.py's infer mode: eval-mode LeNet-5 (1x28x28) and ResNet-20 (3x32x32) without autograd, through
/// <see cref="Module.Predict"/> (the inference entry point: intermediate storage is recycled, as PyTorch's allocator
/// recycles freed memory). Batch-1 latency: warm-up calls for at least a second (and at least train_bench.py's 50), then
/// the median of 1000 timed calls. The second is for the JIT, not the machine: tiered compilation promotes hot methods in
/// the background, and 50 LeNet-5 calls (a few milliseconds) left `bench infer` timing partly unoptimised code, 85-130 µs
/// where the steady state is 23 µs (PyTorch's eager kernels are compiled ahead of time and need no such wait).
/// Throughput: batch 256 (LeNet-5) / 128 (ResNet-20), 3 warm-up calls, then 200 / 20 timed calls.</summary>
internal static class InferBench
{
    public const string Name = "infer";

    private sealed record Net(string Name, Func<Rng, Module> Create, int[] ImageShape, int BigBatch, int BigCalls);

    private static readonly Net[] Nets =
    [
        new("lenet5", rng => new LeNet5(rng: rng), [1, 28, 28], 256, 200),
        new("resnet20", rng => new ResNetCifar(20, rng: rng), [3, 32, 32], 128, 20),
    ];

    public static void Run(BenchContext ctx)
    {
        var peer = ctx.PeerRunner;
        BenchContext.Progress("infer: Hubel");
        var hubel = Nets.ToDictionary(n => n.Name, n => Hubel(n, ctx.Quick, ctx.Seed));
        Dictionary<string, (double LatencyUs, double ImagesPerSecond)> theirs = [];
        if (peer is not null)
        {
            BenchContext.Progress($"infer: {peer.Kind}");
            string seed = ctx.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var lines = peer.Kind == PeerKind.PyTorch ? peer.RunPython("train_bench.py", "infer", seed) : peer.RunTorchSharp("infer");
            foreach (var l in lines.Where(l => l.Prefix is not null))
                theirs[l.Prefix!] = (l.Number("b1_us_median"), l.Number("big_img_per_s"));
        }
        foreach (var net in Nets)
        {
            var (lat, rate, big) = hubel[net.Name];
            bool has = theirs.TryGetValue(net.Name, out var t);
            ctx.Emit(new BenchRow(Name, $"{net.Name} batch 1 latency (median)", lat, has ? t.LatencyUs : null, "us"));
            ctx.Emit(new BenchRow(Name, $"{net.Name} batch {big} throughput", rate, has ? t.ImagesPerSecond : null, "img/s"));
        }
    }

    private static (double LatencyUs, double ImagesPerSecond, int BigBatch) Hubel(Net net, bool quick, int seed)
    {
        var rng = new Rng((ulong)seed);
        var model = net.Create(rng);
        model.Eval();
        int warm = quick ? 3 : 50, timed = quick ? 20 : 1000, big = quick ? 8 : net.BigBatch, bigCalls = quick ? 2 : net.BigCalls;
        using var _ = Graph.NoGrad();
        var x1 = Tensor.Normal([1, .. net.ImageShape], 0, 1, rng);
        var warming = Stopwatch.StartNew();
        for (int i = 0; i < warm || (!quick && warming.Elapsed.TotalSeconds < 1); i++) model.Predict(x1);
        var latencies = new double[timed];
        for (int i = 0; i < timed; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            model.Predict(x1);
            latencies[i] = Stopwatch.GetElapsedTime(t0).TotalSeconds * 1e6;
        }
        var xb = Tensor.Normal([big, .. net.ImageShape], 0, 1, rng);
        for (int i = 0; i < 3; i++) model.Predict(xb);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < bigCalls; i++) model.Predict(xb);
        return (Timing.Median(latencies), (double)bigCalls * big / clock.Elapsed.TotalSeconds, big);
    }
}
