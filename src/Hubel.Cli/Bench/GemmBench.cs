using Hubel.Autograd;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Cli.Bench;

/// <summary>gemm_bench.py: square float32 C = A·B for n = 256..2048 through F.MatMul (allocating C each call, as torch.mm
/// does), the same timing rule (min time 0.3 s and 5 reps below n = 2048, one pass of 5 reps at 2048), GFLOP/s of the
/// median; then the FMA ceiling (per core and all cores, see <see cref="FmaPeak"/>) and every size as a fraction of it.</summary>
internal static class GemmBench
{
    public const string Name = "gemm";

    public static void Run(BenchContext ctx)
    {
        int[] sizes = ctx.Quick ? [64, 128] : [256, 512, 1024, 2048];
        var peer = ctx.PeerRunner;
        var hubelAt = new Dictionary<int, double>();
        var peerAt = new Dictionary<int, double?>();
        foreach (int n in sizes)
        {
            BenchContext.Progress($"gemm n={n}: Hubel");
            double hubel = Hubel(n, ctx.Quick);
            hubelAt[n] = hubel;
            double? theirs = null;
            if (peer is not null)
            {
                BenchContext.Progress($"gemm n={n}: {peer.Kind}");
                theirs = Peer(peer, n);
            }
            peerAt[n] = theirs;
            ctx.Emit(new BenchRow(Name, $"n={n}", hubel, theirs, "GFLOP/s"));
        }
        BenchContext.Progress("gemm: FMA ceiling");
        var peak = FmaPeak.Measure(ctx.Quick ? 0.05 : 2.0);
        ctx.Emit(new BenchRow(Name, "peak per core (FMA loop)", peak.PerCore, null, "GFLOP/s"));
        ctx.Emit(new BenchRow(Name, $"peak {peak.Workers} cores (FMA loop)", peak.AllCores, null, "GFLOP/s"));
        // Both systems as a fraction of the same all-core ceiling (the peer also runs on all cores).
        foreach (int n in sizes)
            ctx.Emit(new BenchRow(Name, $"n={n} / peak", 100 * hubelAt[n] / peak.AllCores, 100 * peerAt[n] / peak.AllCores, "%"));
    }

    private static double Hubel(int n, bool quick)
    {
        var rng = new Rng(0);
        var a = Tensor.Normal([n, n], 0, 1, rng);
        var b = Tensor.Normal([n, n], 0, 1, rng);
        double minTime = quick ? 0.01 : n >= 2048 ? 0.0 : 0.3;
        int warmup = quick ? 1 : n >= 2048 ? 1 : 2, reps = quick ? 2 : 5;
        double[] t;
        using (Graph.NoGrad()) t = Timing.TimeIt(() => F.MatMul(a, b), minTime, reps, warmup);
        return 2.0 * n * n * n / Timing.Median(t) / 1e9;
    }

    private static double? Peer(PeerProcess peer, int n)
    {
        if (peer.Kind == PeerKind.PyTorch)
        {
            var line = peer.RunPython("gemm_bench.py", "hubel-bench", n.ToString(System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
            return line?.Number("torch_gflops_med");
        }
        var ts = peer.RunTorchSharp("gemm").FirstOrDefault(l => l.Values["n"]?.GetValue<double>() == n);
        return ts?.Number("gflops_med");
    }
}
