using Hubel.Ops;
using Hubel.Tensors;
using static Hubel.Tests.Notes.NotesAssert;
using C = Hubel.Analysis.ConvArithmetic;

namespace Hubel.Tests.Notes;

/// <summary>Architecture-level numbers (docs/notes-examples.md A01–A04, A07–A09): layer output sizes run through the
/// real ops, parameter counts through <see cref="C"/>. Forward passes use weights chosen so that every value is
/// known in closed form (normalised constant kernels, or centred delta kernels that copy their input).
/// Seeds: S0 = 000_b3d568cb3515f52b.txt, S1 = 001_e4bcf25e35765c8d.txt, S4 = 004_a7da2731f31c01ab.txt.</summary>
public class ArchitectureExamples
{
    /// <summary>A [cout, cin, k, k] weight of the given constant.</summary>
    private static Tensor Constant(int cout, int cin, int k, double value) => Filled([cout, cin, k, k], value);

    /// <summary>A [1, 1, k, k] kernel with 1 at the centre: with same padding it returns its input.</summary>
    private static Tensor Delta(int k) => Image(Matrix(k, k, (i, j) => i == k / 2 && j == k / 2 ? 1 : 0));

    // A01 — S1 "1. LeNet-5": input "相当于1024个神经元"; C1 "32-5+1=28", "6 * 28 * 28 = 4704"; S2 average of 4 inputs → 6x14x14;
    // C3 16 maps 10x10, "16 * (6 * (5 * 5))"; S4 max pooling → "16 * 5 * 5 = 400"; C5 120 maps "5-5+1=1"; F6 "(120 + 1) * 84 =
    // 10164"; 10 outputs (stated). Derived: C1 156, C3 2,416, C5 48,120, output 850, total 61,706 (full C3, parameter-free
    // pooling). Forward with input 3 and kernels normalised to sum 1 keeps every value 3.
    [Fact]
    public void A01_LeNet5_ShapeChain_32_28_14_10_5_1_And10164()
    {
        var x = Filled([1, 1, 32, 32], 3);
        Assert.Equal(1024, x.Numel);
        var c1 = F.Conv2d(x, Constant(6, 1, 5, 1.0 / 25));
        Shape([1, 6, 28, 28], c1); Assert.Equal(4704, c1.Numel); AllEqual(3, c1);
        var s2 = F.AvgPool2d(c1, 2, 2);
        Shape([1, 6, 14, 14], s2); AllEqual(3, s2);
        var c3 = F.Conv2d(s2, Constant(16, 6, 5, 1.0 / 150));
        Shape([1, 16, 10, 10], c3); AllEqual(3, c3);
        var s4 = F.MaxPool2d(c3, 2, 2);
        Shape([1, 16, 5, 5], s4); Assert.Equal(400, s4.Numel); AllEqual(3, s4);
        var c5 = F.Conv2d(s4, Constant(120, 16, 5, 1.0 / 400));
        Shape([1, 120, 1, 1], c5); AllEqual(3, c5);
        var f6 = F.Linear(c5.Flatten(), Filled([84, 120], 1.0 / 120));
        var output = F.Linear(f6, Filled([10, 84], 1.0 / 84));
        Shape([1, 10], output); AllEqual(3, output);

        Assert.Equal(2400, C.ConvParameters(6, 16, 5, 5, bias: false));
        Assert.Equal(10_164, C.LinearParameters(120, 84));
        long[] layers = [C.ConvParameters(1, 6, 5, 5), C.ConvParameters(6, 16, 5, 5), C.ConvParameters(16, 120, 5, 5), C.LinearParameters(120, 84), C.LinearParameters(84, 10)];
        Assert.Equal([156L, 2416, 48_120, 10_164, 850], layers);
        Assert.Equal(61_706, layers.Sum());
    }

    // A02 — S4 "AlexNet(1998)" list: input 3x224x224, conv 96 11x11 stride 4 pad 0 → 96x55x55, max pool 3x3/2 → 27, conv 256 5x5
    // pad 2 → 27, pool → 13, three 3x3 pad 1 convs → 13, pool → 6; S1 "展开为9216个单元", "(后改为 227 × 227 × 3)", "将近6千万个参数" (stated).
    // Errata: J6 224 gives 54, not 55 (227 or pad 2 gives 55); J7 "65000个神经元" is ≈ 650,000 (659,272 counted). Derived params
    // 62,378,344, or 60,965,224 with the original groups = 2 on conv2/4/5 (≈ "60 million").
    [Fact]
    public void A02_AlexNet_227Gives55_224Gives54_9216_AndParameterTotals()
    {
        Assert.Equal(54, C.OutputSize(224, 11, stride: 4));            // erratum J6
        Assert.Equal(55, C.OutputSize(224, 11, stride: 4, padding: 2));
        Assert.Equal(55, C.OutputSize(227, 11, stride: 4));

        // Spatial chain on one channel: a normalised 11x11 kernel on ones gives ones; same-padded centred deltas copy.
        var y = F.Conv2d(Filled([1, 1, 227, 227], 1), Constant(1, 1, 11, 1.0 / 121), stride: 4);
        Shape([1, 1, 55, 55], y); AllEqual(1, y);
        y = F.MaxPool2d(y, 3, 2); Shape([1, 1, 27, 27], y);
        y = F.Conv2d(y, Delta(5), padding: 2); Shape([1, 1, 27, 27], y);
        y = F.MaxPool2d(y, 3, 2); Shape([1, 1, 13, 13], y);
        for (int i = 0; i < 3; i++) y = F.Conv2d(y, Delta(3), padding: 1);
        Shape([1, 1, 13, 13], y);
        y = F.MaxPool2d(y, 3, 2);
        Shape([1, 1, 6, 6], y); AllEqual(1, y);
        Assert.Equal(9216, 256 * y.Numel);

        long conv1 = C.ConvParameters(3, 96, 11, 11), fc = C.LinearParameters(9216, 4096) + C.LinearParameters(4096, 4096) + C.LinearParameters(4096, 1000);
        long plain = conv1 + C.ConvParameters(96, 256, 5, 5) + C.ConvParameters(256, 384, 3, 3) + C.ConvParameters(384, 384, 3, 3) + C.ConvParameters(384, 256, 3, 3) + fc;
        long grouped = conv1 + C.ConvParameters(96, 256, 5, 5, groups: 2) + C.ConvParameters(256, 384, 3, 3)
            + C.ConvParameters(384, 384, 3, 3, groups: 2) + C.ConvParameters(384, 256, 3, 3, groups: 2) + fc;
        Assert.Equal(62_378_344, plain);
        Assert.Equal(60_965_224, grouped);
        int neurons = 96 * 55 * 55 + 256 * 27 * 27 + 2 * 384 * 13 * 13 + 256 * 13 * 13 + 4096 + 4096 + 1000;
        Assert.Equal(659_272, neurons);                               // erratum J7: not 65,000
    }

    // A03 — S1: VGG convs are 3x3 stride 1 same, pools 2x2 stride 2; S4 "每个VGG网络都有3个FC层，5个池化层" and "其中绝大多数的参数
    // 都是来自于第一个全连接层"; S2 §2.5 224 → 512x7x7, 384 → 512x12x12 (stated). Derived VGG-16 (config D): conv 14,714,688,
    // FC 123,642,856, total 138,357,544, first FC 102,764,544. Forward on one channel: 13 same-padded centred deltas and 5 max
    // pools on the ramp X[i][j] = 224i + j give X[32p+31][32q+31] at (p, q).
    [Fact]
    public void A03_Vgg16_224To7_384To12_138357544Parameters()
    {
        int[] widths = [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0]; // 0 = pool
        long convParams = 0;
        int channels = 3, size = 224, size384 = 384;
        var y = Image(Matrix(224, 224, (i, j) => 224 * i + j));
        foreach (int w in widths)
        {
            if (w == 0)
            {
                size = C.OutputSize(size, 2, 2);
                size384 = C.OutputSize(size384, 2, 2);
                y = F.MaxPool2d(y, 2, 2);
                continue;
            }
            convParams += C.ConvParameters(channels, w, 3, 3);
            channels = w;
            Assert.Equal(size, C.OutputSize(size, 3, 1, C.SamePadding(3)));
            y = F.Conv2d(y, Delta(3), padding: Padding.Same);
        }
        Assert.Equal((7, 12), (size, size384));
        Equal(Matrix(7, 7, (p, q) => 224 * (32 * p + 31) + 32 * q + 31), y);
        long fc1 = C.LinearParameters(512 * 7 * 7, 4096);
        long fc = fc1 + C.LinearParameters(4096, 4096) + C.LinearParameters(4096, 1000);
        Assert.Equal(14_714_688, convParams);
        Assert.Equal(102_764_544, fc1);
        Assert.Equal(123_642_856, fc);
        Assert.Equal(138_357_544, convParams + fc);
    }

    // A04 / E38 — S0 §5.8: Inception 3a on 28×28×192 with 1x1 64, 1x1 96 → 3x3 128, 1x1 16 → 5x5 32, and the pool branch
    // (stated); the reduced module outputs 256 channels (stated "降到了256"). Forward with same padding: channel c of the
    // input holds c+1; every 1x1/3x3/5x5 weight is a centred delta / C_in, so every branch outputs the channel mean 96.5 on
    // 28x28; 3x3/1/1 max pooling keeps the constant channels.
    [Fact]
    public void A04_Inception3a_BranchesKeep28x28_AndConcatenateTo256Channels()
    {
        var x = Tensor.FromArray(Enumerable.Range(0, 192).SelectMany(c => Enumerable.Repeat(c + 1.0, 28 * 28)).ToArray(), [1, 192, 28, 28]);
        Tensor Conv(Tensor input, int cout, int k)
        {
            int cin = input.Size(1);
            var w = Tensor.FromArray(Enumerable.Range(0, cout * cin * k * k).Select(i => i % (k * k) == k * k / 2 ? 1.0 / cin : 0).ToArray(), [cout, cin, k, k]);
            return F.Conv2d(input, w, padding: Padding.Same);
        }
        var pooled = F.MaxPool2d(x, 3, 1, 1);
        Equal(Plane(x, 0, 7), pooled, c: 7);
        Tensor[] branches = [Conv(x, 64, 1), Conv(Conv(x, 96, 1), 128, 3), Conv(Conv(x, 16, 1), 32, 5), Conv(pooled, 32, 1)];
        Assert.Equal(256, branches.Sum(b => b.Size(1)));
        foreach (var b in branches)
        {
            Assert.Equal((28, 28), (b.Size(2), b.Size(3)));
            AllEqual(96.5, b, 1e-9);
        }
    }

    // A07 — S0 §5.29 "举例理解Local-Conv的作用": "形成的图像都是152×152的图像", "Conv：32个11×11×3的卷积核" (stated). Derived: valid
    // conv 152 − 11 + 1 = 142 (later layers need the locally connected layer, later(locally-connected)). float32 here: the
    // 234M multiply-adds are only a size check; normalised kernels on ones give ones.
    [Fact]
    public void A07_DeepFaceConv1_152Input_32Kernels11x11x3_Gives32x142x142()
    {
        Assert.Equal(142, C.OutputSize(152, 11));
        var y = F.Conv2d(Tensor.Ones([1, 3, 152, 152]), Tensor.Full([32, 3, 11, 11], 1.0 / 363));
        Shape([1, 32, 142, 142], y);
        AllEqual(1, y, 1e-5);
    }

    // A08 — S4 "卷积神经网络的典型结构": one input channel, conv with 4 kernels + ReLU, max pool halving H and W, conv with 4x6
    // kernels "其中4对应着输入通道，6对应着输出通道", pool "原始尺寸的四分之一左右", flatten → FC → FC → softmax over 10 classes
    // (stated). Derived with 28x28 and 3x3 same convs: 4x28x28 → 4x14x14 → 6x14x14 → 6x7x7 (7 = 28/4 exactly); conv2 has
    // 4·6·9 = 216 weights. Kernels: conv1 filter f = (f+1)·delta, conv2 (g+1)/10·delta per input, so map g after both pools is
    // (g+1)·X[4p+3][4q+3] for the ramp X[i][j] = 28i + j; zero FC weights give the uniform 1/10 softmax.
    [Fact]
    public void A08_TypicalMnistCnn_28To14To7_FourThenSixMaps_TenClasses()
    {
        var x = Image(Matrix(28, 28, (i, j) => 28 * i + j));
        var w1 = Tensor.FromArray(Enumerable.Range(0, 4).SelectMany(f => Enumerable.Range(0, 9).Select(t => t == 4 ? f + 1.0 : 0)).ToArray(), [4, 1, 3, 3]);
        var w2 = Tensor.FromArray(Enumerable.Range(0, 6 * 4 * 9).Select(i => i % 9 == 4 ? (i / 36 + 1) / 10.0 : 0).ToArray(), [6, 4, 3, 3]);
        Assert.Equal(216, C.ConvParameters(4, 6, 3, 3, bias: false));
        var h = F.MaxPool2d(F.Relu(F.Conv2d(x, w1, padding: Padding.Same)), 2, 2);
        Shape([1, 4, 14, 14], h);
        h = F.MaxPool2d(F.Relu(F.Conv2d(h, w2, padding: Padding.Same)), 2, 2);
        Shape([1, 6, 7, 7], h);
        for (int g = 0; g < 6; g++) Equal(Matrix(7, 7, (p, q) => (g + 1) * (28 * (4 * p + 3) + 4 * q + 3)), h, c: g, tolerance: 1e-9);

        var flat = h.Flatten();
        Assert.Equal(294, flat.Size(1));
        var hidden = F.Relu(F.Linear(flat, Filled([32, 294], 0), Filled([32], 0)));
        var probs = F.Softmax(F.Linear(hidden, Filled([10, 32], 0), Filled([10], 0)));
        Equal(Enumerable.Repeat(0.1, 10).ToArray(), probs.ToDoubleArray(), 1e-15);
    }

    // A09 — S0 §5.25.2 network3 code: ConvPoolLayer image (mb, 1, 28, 28), filter (20, 1, 5, 5), pool (2, 2) → FullyConnectedLayer
    // n_in = 20*12*12; second conv image (mb, 20, 12, 12), filter (40, 20, 5, 5) → n_in = 40*4*4; FC 784 → 100 (stated).
    // Derived: 2,880 and 640; params conv1 520, conv2 20,040, FC 640→100 64,100, softmax 100→10 1,010, FC-only baseline 79,510.
    [Fact]
    public void A09_Network3_ConvPool_2880_Then640_AndParameterCounts()
    {
        var h = F.MaxPool2d(F.Conv2d(Filled([10, 1, 28, 28], 1), Constant(20, 1, 5, 1.0 / 25)), 2, 2);
        Shape([10, 20, 12, 12], h);
        Assert.Equal(2880, h.Flatten().Size(1)); AllEqual(1, h);
        h = F.MaxPool2d(F.Conv2d(h, Constant(40, 20, 5, 1.0 / 500)), 2, 2);
        Shape([10, 40, 4, 4], h);
        Assert.Equal(640, h.Flatten().Size(1)); AllEqual(1, h);

        Assert.Equal([520L, 20_040, 64_100, 1_010],
            [C.ConvParameters(1, 20, 5, 5), C.ConvParameters(20, 40, 5, 5), C.LinearParameters(640, 100), C.LinearParameters(100, 10)]);
        Assert.Equal(79_510, C.LinearParameters(784, 100) + C.LinearParameters(100, 10));
    }
}
