using Hubel.Autograd;
using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Tensors;

namespace Hubel.Cli.Bench;

/// <summary>conv_bench.py: ten float32 NCHW layer shapes (a..j) on 2 threads, forward without autograd and forward plus
/// the input, weight and bias gradients, the median of 7 reps of at least 0.3 s each. Hubel and the peer alternate shape
/// by shape (the peer runs conv_bench.py for one shape letter at a time), so machine drift hits both alike. Ends with the
/// geometric mean of the ratios. Hubel's calls each run in a <see cref="MemoryScope"/>, as a training step does.</summary>
internal static class ConvBench
{
    public const string Name = "conv";

    internal enum Kind { Conv, ConvT, Pool }

    internal sealed record Shape(string Name, int N, int C, int H, int W, int K, int Kernel, int Stride, int Pad, int Groups, Kind Kind);

    // Exactly conv_bench.py's SHAPES: name: (N, C, H, W, K, k, stride, pad, groups, kind).
    internal static readonly Shape[] Shapes =
    [
        new("a_lenet_conv1", 64, 1, 28, 28, 6, 5, 1, 2, 1, Kind.Conv),
        new("b_lenet_conv2", 64, 6, 14, 14, 16, 5, 1, 0, 1, Kind.Conv),
        new("c_nielsen_conv2", 10, 20, 12, 12, 40, 5, 1, 0, 1, Kind.Conv),
        new("d_resnet20_s1", 128, 16, 32, 32, 16, 3, 1, 1, 1, Kind.Conv),
        new("e_resnet20_s3", 128, 64, 8, 8, 64, 3, 1, 1, 1, Kind.Conv),
        new("f_vgg_64", 32, 64, 56, 56, 64, 3, 1, 1, 1, Kind.Conv),
        new("g_depthwise3x3", 32, 128, 28, 28, 128, 3, 1, 1, 128, Kind.Conv),
        new("h_pointwise1x1", 32, 128, 28, 28, 256, 1, 1, 0, 1, Kind.Conv),
        new("i_convT_4x4s2", 16, 64, 16, 16, 32, 4, 2, 1, 1, Kind.ConvT),
        new("j_maxpool2x2", 128, 64, 32, 32, 64, 2, 2, 0, 1, Kind.Pool),
    ];

    public static void Run(BenchContext ctx)
    {
        var peer = ctx.PeerRunner;
        var fwdRatios = new List<double>();
        var fbRatios = new List<double>();
        foreach (var shape in Shapes)
        {
            BenchContext.Progress($"conv {shape.Name}: Hubel");
            var (fwd, fb) = Hubel(ctx.Quick ? shape with { N = 1 } : shape, ctx.Quick);
            (double Fwd, double Fb)? theirs = null;
            if (peer is not null)
            {
                BenchContext.Progress($"conv {shape.Name}: {peer.Kind}");
                theirs = Peer(peer, shape);
            }
            var fwdRow = new BenchRow(Name, shape.Name + " fwd", fwd * 1e3, theirs?.Fwd * 1e3, "ms");
            var fbRow = new BenchRow(Name, shape.Name + " fwd+bwd", fb * 1e3, theirs?.Fb * 1e3, "ms");
            ctx.Emit(fwdRow);
            ctx.Emit(fbRow);
            if (fwdRow.Ratio is { } rf) fwdRatios.Add(rf);
            if (fbRow.Ratio is { } rb) fbRatios.Add(rb);
        }
        // The geometric mean of the ratios is itself a ratio: report it as Hubel = ratio, peer = 1.
        if (fbRatios.Count > 0) ctx.Emit(new BenchRow(Name, $"geomean fwd+bwd ({fbRatios.Count} shapes)", Timing.GeometricMean(fbRatios), 1, "x"));
        if (fwdRatios.Count > 0) ctx.Emit(new BenchRow(Name, $"geomean fwd ({fwdRatios.Count} shapes)", Timing.GeometricMean(fwdRatios), 1, "x"));
    }

    /// <summary>Median seconds of the forward pass and of forward + backward for one shape.</summary>
    internal static (double Fwd, double FwdBwd) Hubel(Shape s, bool quick)
    {
        var rng = new Rng(0);
        Module m = s.Kind switch
        {
            Kind.Conv => new Conv2d(s.C, s.K, s.Kernel, stride: s.Stride, padding: s.Pad, groups: s.Groups, rng: rng),
            Kind.ConvT => new ConvTranspose2d(s.C, s.K, s.Kernel, stride: s.Stride, padding: s.Pad, rng: rng),
            _ => new MaxPool2d(s.Kernel, s.Stride),
        };
        var x = Tensor.Normal([s.N, s.C, s.H, s.W], 0, 1, rng);
        Tensor y;
        using (Graph.NoGrad()) y = m.Forward(x);
        var gy = Tensor.Normal(y.Shape.ToArray(), 0, 1, rng);
        var xg = x.Clone().RequireGrad();
        var parameters = m.Parameters().ToArray();
        // Each call runs in a MemoryScope, as every training step of Trainer does: outputs and gradients take recycled
        // storage instead of fresh arrays (f's are 26 MB each, and fresh ones cost page faults and gen-2 collections).
        void Fwd()
        {
            using var scope = MemoryScope.Begin();
            using (Graph.NoGrad()) m.Forward(x);
        }
        void FwdBwd()
        {
            using var scope = MemoryScope.Begin();
            // torch.autograd.grad returns fresh gradients; clearing .Grad keeps Hubel from adding into the last ones.
            xg.Grad = null;
            foreach (var p in parameters) p.Grad = null;
            m.Forward(xg).Backward(gy);
        }
        double minTime = quick ? 0.005 : 0.3;
        int reps = quick ? 2 : 7, warmup = quick ? 1 : 2;
        var tf = Timing.TimeIt(Fwd, minTime, reps, warmup);
        var tb = Timing.TimeIt(FwdBwd, minTime, reps, warmup);
        return (Timing.Median(tf), Timing.Median(tb));
    }

    private static (double Fwd, double Fb)? Peer(PeerProcess peer, Shape s)
    {
        if (peer.Kind == PeerKind.PyTorch)
        {
            var line = peer.RunPython("conv_bench.py", "hubel-bench", "0", s.Name[..1]).FirstOrDefault();
            return line is null ? null : (line.Number("fwd_ms_med") / 1e3, line.Number("fb_ms_med") / 1e3);
        }
        // The TorchSharp peer measures only the two ResNet-20 shapes (d, e), three reps each: the median of those.
        var ts = peer.RunTorchSharp("conv").Where(l => l.Prefix == s.Name).ToList();
        if (ts.Count == 0) return null;
        return (Timing.Median(ts.Select(l => l.Number("fwd_ms_med"))) / 1e3, Timing.Median(ts.Select(l => l.Number("fb_ms_med"))) / 1e3);
    }
}
