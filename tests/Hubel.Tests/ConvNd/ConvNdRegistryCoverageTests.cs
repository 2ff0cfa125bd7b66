using Hubel.Ops.Registry;

namespace Hubel.Tests.ConvNd;

/// <summary>The registry samples of pad, conv1d/3d and the transposed convolutions cover the cases a demanding user hits:
/// batch 1, outputs of size 1, stride larger than the kernel, groups, every padding scheme and mode, output padding.</summary>
public class ConvNdRegistryCoverageTests
{
    private static List<(OpSample S, IReadOnlyDictionary<string, object> A)> Samples(string op) =>
        OpRegistry.All.Single(o => o.Name == op).Samples.Select(s => (s, s.Attributes)).ToList();

    private static int[] Ints(IReadOnlyDictionary<string, object> a, string key) => (int[])a[key];

    [Theory]
    [InlineData("conv1d")]
    [InlineData("conv3d")]
    [InlineData("conv_transpose1d")]
    [InlineData("conv_transpose2d")]
    [InlineData("conv_transpose3d")]
    public void ConvolutionSamplesCoverTheEdgeCases(string op)
    {
        var samples = Samples(op);
        Assert.Contains(samples, c => c.S.InputShapes[0][0] == 1);
        Assert.Contains(samples, c => c.S.InputShapes.Length == 2);                                     // no bias
        Assert.Contains(samples, c => c.S.InputShapes.Length == 3);
        Assert.Contains(samples, c => (int)c.A["groups"] > 1);
        Assert.Contains(samples, c => Ints(c.A, "dilation").Max() > 1);
        Assert.Contains(samples, c => Ints(c.A, "stride").Max() > 1);
        if (op.StartsWith("conv_transpose", StringComparison.Ordinal))
        {
            Assert.Contains(samples, c => Ints(c.A, "output_padding").Max() > 0);
            Assert.Contains(samples, c => Ints(c.A, "padding").Max() > 0);
            return;
        }
        Assert.Contains(samples, c => Ints(c.A, "stride").Max() > c.S.InputShapes[1][2..].Max());   // stride > kernel
        Assert.Contains(samples, c => c.S.Run().Shape[2..].ToArray().All(v => v == 1));              // 1 (x1x1) output
        foreach (var kind in new[] { "valid", "same", "full" }) Assert.Contains(samples, c => c.A["padding"] as string == kind);
        Assert.Contains(samples, c => c.A["padding"] as string == "same" && Ints(c.A, "stride").Max() > 1);
        Assert.Contains(samples, c => c.A["padding"] is int[] p && Enumerable.Range(0, p.Length / 2).Any(i => p[2 * i] != p[2 * i + 1]));
    }

    [Fact]
    public void PadSamplesCoverEveryModeAndRank()
    {
        var samples = Samples("pad");
        foreach (var mode in new[] { "constant", "reflect", "replicate", "circular" })
            foreach (int pairs in new[] { 1, 2, 3 })
                Assert.Contains(samples, s => (string)s.A["mode"] == mode && Ints(s.A, "pad").Length == 2 * pairs);
        // Reflect at its limit (padding = size - 1) and circular at its limit (padding = size).
        Assert.Contains(samples, s => (string)s.A["mode"] == "reflect" && AtLimit(s.S.InputShapes[0], Ints(s.A, "pad"), 1));
        Assert.Contains(samples, s => (string)s.A["mode"] == "circular" && AtLimit(s.S.InputShapes[0], Ints(s.A, "pad"), 0));
    }

    private static bool AtLimit(int[] shape, int[] pad, int margin) =>
        Enumerable.Range(0, pad.Length).Any(i => pad[i] == shape[shape.Length - 1 - i / 2] - margin);
}
