using Hubel.Analysis;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Tests.Analysis;

/// <summary>Argument validation of <see cref="ConvArithmetic"/> (every bad argument throws
/// <see cref="ArgumentOutOfRangeException"/> naming it) and agreement of <see cref="ConvArithmetic.OutputSize"/> with
/// what <see cref="F.Conv2d"/> and <see cref="F.MaxPool2d"/> actually produce. The notes' numeric examples are in
/// tests/Hubel.Tests/Notes/.</summary>
public class ConvArithmeticTests
{
    public static TheoryData<string, Action> BadArguments => new()
    {
        { "input", () => ConvArithmetic.OutputSize(0, 1) },
        { "kernel", () => ConvArithmetic.OutputSize(5, 0) },
        { "stride", () => ConvArithmetic.OutputSize(5, 3, stride: 0) },
        { "padding", () => ConvArithmetic.OutputSize(5, 3, padding: -1) },
        { "dilation", () => ConvArithmetic.OutputSize(5, 3, dilation: 0) },
        { "kernel", () => ConvArithmetic.OutputSize(4, 5) },                 // kernel larger than the input
        { "kernel", () => ConvArithmetic.OutputSize(4, 3, dilation: 2) },    // dilated extent 5 > 4
        { "kernel", () => ConvArithmetic.SamePadding(4) },                   // even kernel: no symmetric same padding
        { "kernel", () => ConvArithmetic.SamePadding(0) },
        { "dilation", () => ConvArithmetic.FullPadding(3, dilation: 0) },
        { "kernel", () => ConvArithmetic.EffectiveKernel(-1) },
        { "layers", () => ConvArithmetic.ReceptiveField([(3, 1), (0, 1)]) },
        { "layers", () => ConvArithmetic.ReceptiveFields([(3, 0)]) },
        { "inChannels", () => ConvArithmetic.ConvParameters(0, 1, 3, 3) },
        { "outChannels", () => ConvArithmetic.ConvParameters(1, 0, 3, 3) },
        { "kernelH", () => ConvArithmetic.ConvParameters(1, 1, 0, 3) },
        { "kernelW", () => ConvArithmetic.ConvParameters(1, 1, 3, 0) },
        { "groups", () => ConvArithmetic.ConvParameters(4, 4, 3, 3, groups: 0) },
        { "groups", () => ConvArithmetic.ConvParameters(4, 6, 3, 3, groups: 4) },
        { "groups", () => ConvArithmetic.ConvMacs(3, 4, 3, 3, 5, 5, groups: 2) },
        { "outH", () => ConvArithmetic.ConvMacs(1, 1, 3, 3, 0, 5) },
        { "outW", () => ConvArithmetic.ConvMacs(1, 1, 3, 3, 5, 0) },
        { "inFeatures", () => ConvArithmetic.LinearParameters(0, 10) },
        { "outFeatures", () => ConvArithmetic.LinearParameters(10, 0) },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void BadArgument_ThrowsArgumentOutOfRange_NamingIt(string parameter, Action call)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(call);
        Assert.Equal(parameter, e.ParamName);
    }

    [Fact]
    public void NullLayers_ThrowsArgumentNull_AndAnEmptyStackSeesOnePixel()
    {
        Assert.Equal("layers", Assert.Throws<ArgumentNullException>(() => ConvArithmetic.ReceptiveField(null!)).ParamName);
        Assert.Equal(1, ConvArithmetic.ReceptiveField([]));
        Assert.Empty(ConvArithmetic.ReceptiveFields([]));
    }

    [Fact]
    public void Counts_ThatOverflowLong_ThrowOverflow()
    {
        Assert.Throws<OverflowException>(() => ConvArithmetic.ConvMacs(int.MaxValue, int.MaxValue, int.MaxValue, 2, 2, 2));
        Assert.Throws<OverflowException>(() => ConvArithmetic.LinearParameters(long.MaxValue, 2));
        Assert.Equal(4_611_686_014_132_420_609, ConvArithmetic.LinearParameters(int.MaxValue, int.MaxValue, bias: false));
    }

    [Fact]
    public void DilatedSamePadding_EvenKernelWithEvenDilation_IsSymmetric()
    {
        Assert.Equal(2, ConvArithmetic.SamePadding(3, dilation: 2));
        Assert.Equal(1, ConvArithmetic.SamePadding(2, dilation: 2));
        Assert.Equal(4, ConvArithmetic.FullPadding(3, dilation: 2));
    }

    /// <summary>Every (input, kernel, stride, padding, dilation) in a small grid: the formula equals the size conv2d
    /// produces, and where the formula rejects the kernel conv2d rejects it too.</summary>
    [Fact]
    public void OutputSize_AgreesWithConv2dAndMaxPool2d_OnAGrid()
    {
        int checkedCases = 0;
        for (int input = 1; input <= 9; input++)
            for (int kernel = 1; kernel <= 4; kernel++)
                for (int stride = 1; stride <= 3; stride++)
                    for (int padding = 0; padding <= 2; padding++)
                        for (int dilation = 1; dilation <= 2; dilation++)
                        {
                            var x = Tensor.Ones([1, 1, 1, input]);
                            var w = Tensor.Ones([1, 1, 1, kernel]);
                            int effective = ConvArithmetic.EffectiveKernel(kernel, dilation);
                            if (effective > input + 2 * padding)
                            {
                                Assert.Throws<ArgumentOutOfRangeException>(() => ConvArithmetic.OutputSize(input, kernel, stride, padding, dilation));
                                Assert.Throws<ArgumentOutOfRangeException>(() => F.Conv2d(x, w, stride: stride, padding: (0, padding), dilation: dilation));
                                continue;
                            }
                            int expected = ConvArithmetic.OutputSize(input, kernel, stride, padding, dilation);
                            Assert.Equal(expected, F.Conv2d(x, w, stride: stride, padding: (0, padding), dilation: dilation).Size(3));
                            if (2 * padding <= kernel)
                                Assert.Equal(expected, F.MaxPool2d(x, (1, kernel), (1, stride), (0, padding), (1, dilation)).Size(3));
                            checkedCases++;
                        }
        Assert.True(checkedCases > 500, $"only {checkedCases} valid cases");
    }
}
