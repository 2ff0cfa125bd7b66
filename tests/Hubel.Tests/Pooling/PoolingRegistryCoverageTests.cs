using Hubel.Ops.Registry;

namespace Hubel.Tests.Pooling;

/// <summary>The 1-D and 3-D pooling samples cover what the 2-D ones do (RegistryCoverageTests): overlapping windows
/// (kernel > stride, AlexNet's pooling), stride > kernel, ceil mode, padding, batch 1, and count_include_pad both ways.</summary>
public class PoolingRegistryCoverageTests
{
    private static int Max(object v) => v is int i ? i : ((int[])v).Max();
    private static int Min(object v) => v is int i ? i : ((int[])v).Min();

    [Theory]
    [InlineData("max_pool1d")]
    [InlineData("avg_pool1d")]
    [InlineData("max_pool3d")]
    [InlineData("avg_pool3d")]
    public void Pool1d3dSamplesCoverTheNotesCases(string op)
    {
        var samples = OpRegistry.All.Single(o => o.Name == op).Samples;
        Assert.Contains(samples, s => Max(s.Attributes["kernel_size"]) > Max(s.Attributes["stride"]));   // overlapping
        Assert.Contains(samples, s => Min(s.Attributes["stride"]) > Max(s.Attributes["kernel_size"]));   // stride > kernel
        Assert.Contains(samples, s => (bool)s.Attributes["ceil_mode"]);
        Assert.Contains(samples, s => Max(s.Attributes["padding"]) > 0);
        Assert.Contains(samples, s => s.InputShapes[0][0] == 1);
        if (op.StartsWith("avg", StringComparison.Ordinal))
        {
            Assert.Contains(samples, s => (bool)s.Attributes["count_include_pad"] && Max(s.Attributes["padding"]) > 0);
            Assert.Contains(samples, s => !(bool)s.Attributes["count_include_pad"] && Max(s.Attributes["padding"]) > 0);
        }
        else Assert.Contains(samples, s => Max(s.Attributes["dilation"]) > 1);
    }

    [Theory]
    [InlineData("adaptive_avg_pool2d")]
    [InlineData("adaptive_max_pool2d")]
    [InlineData("adaptive_avg_pool1d")]
    [InlineData("adaptive_max_pool1d")]
    public void AdaptiveSamplesCoverShrinkingIdentityAndGrowing(string op)
    {
        var samples = OpRegistry.All.Single(o => o.Name == op).Samples;
        int[] Out(OpSample s) => s.Attributes["output_size"] is int i ? [i] : (int[])s.Attributes["output_size"];
        int[] In(OpSample s) => s.InputShapes[0][2..];
        Assert.Contains(samples, s => Out(s).SequenceEqual(In(s)));
        Assert.Contains(samples, s => Out(s).Zip(In(s)).Any(p => p.First > p.Second));
        Assert.Contains(samples, s => Out(s).Zip(In(s)).Any(p => p.Second % p.First != 0));   // overlapping bins
        Assert.Contains(samples, s => Out(s).All(o => o == 1));
    }
}
