using Hubel.Analysis;
using Hubel.Ops;
using Hubel.Tensors;
using static Hubel.Tests.Notes.NotesAssert;
using C = Hubel.Analysis.ConvArithmetic;

namespace Hubel.Tests.Notes;

/// <summary>Parameter and cost counts from the notes (docs/notes-examples.md section E and F04–F08, F14), computed
/// with <see cref="ConvArithmetic"/>; where the notes' arithmetic is wrong the test asserts the corrected value and
/// names the erratum (docs/notes-examples.md section J). Seeds: S0 = 000_b3d568cb3515f52b.txt,
/// S1 = 001_e4bcf25e35765c8d.txt, S2 = 002_6e1674edcb7ec153.txt, S4 = 004_a7da2731f31c01ab.txt.</summary>
public class ParameterCountExamples
{
    // E35 / F04 — S0 §5.16 "参数共享": "55x55x96=290,400个神经元，每个有11x11x3=364个参数和1个偏差 … 290400x364=105,705,600个参数
    // … 96x11x11x3=34,848个不同的权重，或34,944个参数（+96个偏差）" (stated). Erratum J1: 11·11·3 = 363, not 364; 105,705,600 holds
    // only if 364 = 363 weights + 1 bias. F04 (S2 §2.4 MACs C_I·W_K·H_K·C_O·W_O·H_O): 105,415,200 (derived); the 55x55 map
    // needs the 227 input (erratum J6).
    [Fact]
    public void E35_AlexNetConv1_34848Weights_34944Parameters_363Not364()
    {
        Assert.Equal(55, C.OutputSize(227, 11, stride: 4));
        Assert.Equal(290_400, 55 * 55 * 96);
        Assert.Equal(363, C.ConvParameters(3, 1, 11, 11, bias: false));   // erratum J1: the notes print 364
        Assert.Equal(364, C.ConvParameters(3, 1, 11, 11, bias: true));
        Assert.Equal(105_705_600, 290_400L * C.ConvParameters(3, 1, 11, 11, bias: true));
        Assert.Equal(34_848, C.ConvParameters(3, 96, 11, 11, bias: false));
        Assert.Equal(34_944, C.ConvParameters(3, 96, 11, 11, bias: true));
        Assert.Equal(105_415_200, C.ConvMacs(3, 96, 11, 11, 55, 55));
    }

    // F04 — S2 §2.4 "计算复杂度": pooling has 0 parameters and C_I·W_O·H_O operations (stated formula). Derived: AlexNet
    // pool1 (3x3, stride 2 on 96x55x55) → 96x27x27 = 69,984 outputs.
    [Fact]
    public void F04_AlexNetPool1_69984Outputs_NoParameters()
    {
        Assert.Equal(27, C.OutputSize(55, 3, stride: 2));
        var y = F.MaxPool2d(Filled([1, 96, 55, 55], 2), 3, 2);
        Shape([1, 96, 27, 27], y);
        Assert.Equal(69_984, y.Numel);
        AllEqual(2, y, tolerance: 0);
    }

    // E36 / A05 — S0 §5.12 "怎样才能减少卷积层参数量？": "256×3×3×256 = 589,824" and "256×1×1×64 + 64×3×3×64 + 64×1×1×256 = 69,632。
    // 足足把第一种操作的参数量降低到九分之一" (stated). Erratum J4 (approximation): 69,632/589,824 = 1/8.47, not 1/9.
    [Fact]
    public void E36_Bottleneck1x1_3x3_1x1_Has69632Weights_Versus589824()
    {
        long plain = C.ConvParameters(256, 256, 3, 3, bias: false);
        long bottleneck = C.ConvParameters(256, 64, 1, 1, bias: false) + C.ConvParameters(64, 64, 3, 3, bias: false)
            + C.ConvParameters(64, 256, 1, 1, bias: false);
        Assert.Equal(589_824, plain);
        Assert.Equal(69_632, bottleneck);
        Assert.Equal(8.47, (double)plain / bottleneck, 2);
    }

    // E37 / F08 — S0 §5.13: "3×3×3×256 = 6,912" and DW "3×3×3 + 3×1×1×256 = 795，又把参数量降低到九分之一" (stated); S2 §3.8 ratio
    // 1/C_O + 1/(W_K·H_K) (stated). Derived: 795/6912 = 265/2304 = 1/256 + 1/9 exactly (≈ 1/8.69; "1/9" approximate, J4).
    // The depthwise conv (groups = C_in = 3) is the per-channel single conv: channel c with kernel c+1 on ones → 9(c+1).
    [Fact]
    public void E37_DepthwiseSeparable_795Versus6912_RatioIsOneOver256PlusOneOver9()
    {
        long standard = C.ConvParameters(3, 256, 3, 3, bias: false);
        long depthwise = C.ConvParameters(3, 3, 3, 3, bias: false, groups: 3);
        long pointwise = C.ConvParameters(3, 256, 1, 1, bias: false);
        Assert.Equal(6_912, standard);
        Assert.Equal((27, 768), (depthwise, pointwise));
        Assert.Equal(795, depthwise + pointwise);
        Assert.Equal(265 * 6_912, 2_304 * 795L);
        Assert.Equal(1.0 / 256 + 1.0 / 9, 795.0 / 6_912, 15);

        var w = Tensor.FromArray(Enumerable.Range(0, 3).SelectMany(c => Enumerable.Repeat(c + 1.0, 9)).ToArray(), [3, 1, 3, 3]);
        Assert.Equal(depthwise, w.Numel);
        var y = F.Conv2d(Filled([1, 3, 5, 5], 1), w, groups: 3);
        for (int c = 0; c < 3; c++) Equal(Matrix(3, 3, (_, _) => 9.0 * (c + 1)), y, c: c);
    }

    // E38 / A04 — S0 §5.8 "1x1卷积作用？": Inception 3a on 28×28×192, "1×1×192×64+3×3×192×128+5×5×192×32" versus
    // "1×1×192×64+（1×1×192×96+3×3×96×128）+（1×1×192×16+5×5×16×32），参数大约减少到原来的三分之一"; output channels "扩大到416 …
    // 降到了256" (stated). Derived sums: 387,072 and 157,184 (163,328 with the 32-channel pool projection). Erratum J3:
    // the ratio is 0.406 (about 2/5), not 1/3. MACs at 28x28: 303,464,448 and 123,232,256.
    [Fact]
    public void E38_Inception3a_387072Versus157184_Ratio0406_Channels416And256()
    {
        long naive = C.ConvParameters(192, 64, 1, 1, false) + C.ConvParameters(192, 128, 3, 3, false) + C.ConvParameters(192, 32, 5, 5, false);
        long reduced = C.ConvParameters(192, 64, 1, 1, false)
            + C.ConvParameters(192, 96, 1, 1, false) + C.ConvParameters(96, 128, 3, 3, false)
            + C.ConvParameters(192, 16, 1, 1, false) + C.ConvParameters(16, 32, 5, 5, false);
        long poolProjection = C.ConvParameters(192, 32, 1, 1, false);
        Assert.Equal(387_072, naive);
        Assert.Equal(157_184, reduced);
        Assert.Equal(163_328, reduced + poolProjection);
        Assert.Equal(0.406, (double)reduced / naive, 3);   // erratum J3: not about 1/3
        Assert.Equal(416, 64 + 128 + 32 + 192);
        Assert.Equal(256, 64 + 128 + 32 + 32);
        Assert.Equal(303_464_448, naive * 28 * 28);
        Assert.Equal(123_232_256, reduced * 28 * 28);
    }

    // E39 — S1 VGGNet "(2*3*3)/(5*5) = 72%"; S2 §3.4 "小卷积核替代": k − 1 = n(k' − 1), "2 个 3×3 … 是前者的 72%。… 5 个 3×3 的卷积核
    // 来代替 1 个 11×11 … 37%"; S0 §5.10 "3×3×2+1 VS 5×5×1+1" (stated). Derived: 27/49 = 55.1% for 7x7; erratum J5: two layers
    // have two biases, so it is 20 vs 26 (one bias per layer), not 19 vs 26. Ratios are independent of C (C = 64 here).
    [Theory]
    [InlineData(5, 2, 0.72)]
    [InlineData(7, 3, 0.551)]
    [InlineData(11, 5, 0.372)]
    public void E39_StackedSmallKernels_72_55_37Percent(int big, int layers, double ratio)
    {
        Assert.Equal(layers, (big - 1) / 2);   // n = (k − 1)/(k' − 1) with k' = 3
        Assert.Equal(big, C.ReceptiveField(Enumerable.Repeat((3, 1), layers)));
        long stacked = layers * C.ConvParameters(64, 64, 3, 3, bias: false);
        Assert.Equal(ratio, (double)stacked / C.ConvParameters(64, 64, big, big, bias: false), 3);
    }

    [Fact]
    public void E39_BiasCount_TwoStacked3x3LayersHave20Parameters_Not19()
    {
        // S0 §5.10 with one channel: two 3x3 layers each with its bias vs one 5x5 layer (erratum J5).
        Assert.Equal(20, 2 * C.ConvParameters(1, 1, 3, 3, bias: true));
        Assert.Equal(26, C.ConvParameters(1, 1, 5, 5, bias: true));
    }

    // E41 — S0 §5.27.1 "局部连接": "1000 × 1000 × 10^6 = 10^12个权值参数…10 × 10 × 10^6 = 10^8，将直接减少4个数量级"; §5.27.2
    // "权值共享": "这 10 × 10个权值参数 … 如果有100个卷积核，最终的权值参数也仅为100 × 100 = 10^4个" (stated). The locally
    // connected layer itself is later(locally-connected layer); its count is 10x10 weights per hidden unit.
    [Fact]
    public void E41_FullyConnected1e12_Local1e8_Shared100_HundredKernels1e4()
    {
        long full = C.LinearParameters(1000 * 1000, 1_000_000, bias: false);
        long local = C.ConvParameters(1, 1, 10, 10, bias: false) * 1_000_000;
        Assert.Equal(1_000_000_000_000, full);
        Assert.Equal(100_000_000, local);
        Assert.Equal(10_000, full / local);
        Assert.Equal(100, C.ConvParameters(1, 1, 10, 10, bias: false));
        Assert.Equal(10_000, C.ConvParameters(1, 100, 10, 10, bias: false));
    }

    // E42 — S2 §2.4 "计算复杂度" item 3: "当输入 feature map 宽高为 32x32，卷积核宽高为 2x2，步长为1时，全连接层的参数数量是卷积层
    // 参数数量的 24.6 万倍 … 全连接层的计算量是卷积层计算量的 256 倍" (stated). Derived: 32·32·31·31/4 = 246,016 and 1024/4 = 256.
    [Fact]
    public void E42_FullyConnectedVersusConv_246016TimesTheParameters_256TimesTheCompute()
    {
        int o = C.OutputSize(32, 2);
        Assert.Equal(31, o);
        long fc = C.LinearParameters(32 * 32, o * o, bias: false);
        Assert.Equal(246_016, fc / C.ConvParameters(1, 1, 2, 2, bias: false));
        Assert.Equal(256, fc / C.ConvMacs(1, 1, 2, 2, o, o));
    }

    // E44 — S0 §5.16: "w_conv1=weight_variable([5,5,1,32]) … 上面的32表示的是卷积层输出的深度"; §5.15 "输出深度（通道）与卷积核
    // （过滤器）的个数相等"; §5.3.4 "参数可以由I*O*K计算" (stated). Derived: 5·5·1·32 = 800 weights (832 with biases); 32 filters
    // on a 5x5 ones image, filter f filled with f, give 32 output channels valued 25f.
    [Fact]
    public void E44_WeightVariable_5x5x1x32_HasDepth32_And800Weights()
    {
        Assert.Equal(800, C.ConvParameters(1, 32, 5, 5, bias: false));
        Assert.Equal(832, C.ConvParameters(1, 32, 5, 5, bias: true));
        var w = Tensor.FromArray(Enumerable.Range(0, 32).SelectMany(f => Enumerable.Repeat((double)f, 25)).ToArray(), [32, 1, 5, 5]);
        var y = F.Conv2d(Filled([1, 1, 5, 5], 1), w);
        Shape([1, 32, 1, 1], y);
        Equal(Enumerable.Range(0, 32).Select(f => 25.0 * f).ToArray(), y.ToDoubleArray());
    }

    // F05 — S2 §3.3 "分组卷积": parameters G·W_K·H_K·(C_I/G)·(C_O/G), 1/G of the standard count, MACs likewise (stated).
    // Derived: 256→256, 3x3, G = 2: 294,912 vs 589,824; AlexNet conv2 614,400 → 307,200 weights and 447,897,600 →
    // 223,948,800 MACs. A grouped conv is two independent convs on the channel halves.
    [Fact]
    public void F05_GroupConvolution_HalvesParametersAndMacs_AndEqualsIndependentHalves()
    {
        Assert.Equal(294_912, C.ConvParameters(256, 256, 3, 3, bias: false, groups: 2));
        Assert.Equal(589_824, C.ConvParameters(256, 256, 3, 3, bias: false));
        Assert.Equal(614_400, C.ConvParameters(96, 256, 5, 5, bias: false));
        Assert.Equal(307_200, C.ConvParameters(96, 256, 5, 5, bias: false, groups: 2));
        Assert.Equal(447_897_600, C.ConvMacs(96, 256, 5, 5, 27, 27));
        Assert.Equal(223_948_800, C.ConvMacs(96, 256, 5, 5, 27, 27, groups: 2));

        var x = Tensor.FromArray(Enumerable.Range(0, 36).Select(i => (double)(i % 7 - 3)).ToArray(), [1, 4, 3, 3]);
        var w = Tensor.FromArray(Enumerable.Range(0, 32).Select(i => (double)(i % 5 - 2)).ToArray(), [4, 2, 2, 2]);
        Assert.Equal(C.ConvParameters(4, 4, 2, 2, bias: false, groups: 2), w.Numel);
        var grouped = F.Conv2d(x, w, groups: 2).ToDoubleArray();
        var first = F.Conv2d(x.Slice(1, 0, 2), w.Slice(0, 0, 2)).ToDoubleArray();
        var second = F.Conv2d(x.Slice(1, 2, 4), w.Slice(0, 2, 4)).ToDoubleArray();
        Equal([.. first, .. second], grouped);
    }

    // F06 — S2 §3.5 "非对称卷积核": n×n → 1×n + n×1 costs 2nC² instead of n²C², ratio 2/n (stated formula). Derived: C = 64,
    // n = 3 → 24,576 vs 36,864 (2/3); n = 7 → 2/7.
    [Theory]
    [InlineData(3, 24_576, 36_864)]
    [InlineData(7, 57_344, 200_704)]
    public void F06_AsymmetricKernels_1xN_Plus_Nx1_Cost2OverN(int n, long asymmetric, long square)
    {
        Assert.Equal(asymmetric, C.ConvParameters(64, 64, 1, n, false) + C.ConvParameters(64, 64, n, 1, false));
        Assert.Equal(square, C.ConvParameters(64, 64, n, n, false));
        Assert.Equal(2.0 / n, (double)asymmetric / square, 15);
    }

    // F07 — S2 §3.7: 1x1 reduction to √C_O channels, C_I√C_O + W_K H_K C_O + C_O^{3/2} parameters (stated). Erratum J9: the
    // notes' ratio "≃ 1/C_O" is wrong; it is 2/(W_K H_K √C_O) + 1/C_O. Derived: C = 256, 3x3, 16 channels: 10,496 vs 589,824
    // = 0.01780 ≈ 1/56.2 (the notes' 1/C_O would be 1/256).
    [Fact]
    public void F07_SqrtChannelBottleneck_10496Versus589824_RatioIsOneOver56NotOneOver256()
    {
        long reduced = C.ConvParameters(256, 16, 1, 1, false) + C.ConvParameters(16, 16, 3, 3, false) + C.ConvParameters(16, 256, 1, 1, false);
        Assert.Equal(10_496, reduced);
        Assert.Equal(256 * 16 + 9 * 256 + 16 * 256, reduced);   // C_I√C_O + W_K H_K C_O + C_O^{3/2}
        double ratio = (double)reduced / C.ConvParameters(256, 256, 3, 3, false);
        Assert.Equal(2.0 / (9 * 16) + 1.0 / 256, ratio, 15);
        Assert.Equal(56.2, 1 / ratio, 1);
    }

    // F14 / E07 — S2 §4.3.2: a separable d-dimensional kernel of width w needs O(w·d) instead of O(w^d) parameters (stated).
    // Derived for d = 2: w = 3 → 6 vs 9; w = 5 → 10 vs 25.
    [Theory]
    [InlineData(3, 6, 9)]
    [InlineData(5, 10, 25)]
    public void F14_SeparableKernel_WTimesD_VersusWToTheD(int w, long separable, long full)
    {
        Assert.Equal(separable, C.ConvParameters(1, 1, w, 1, false) + C.ConvParameters(1, 1, 1, w, false));
        Assert.Equal(full, C.ConvParameters(1, 1, w, w, false));
    }
}
