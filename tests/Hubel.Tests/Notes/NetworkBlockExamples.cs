using Hubel.Ops;
using Hubel.Tensors;
using static Hubel.Tests.Notes.NotesAssert;
using C = Hubel.Analysis.ConvArithmetic;

namespace Hubel.Tests.Notes;

/// <summary>Small pipelines from the notes (docs/notes-examples.md E18, E19, E21, E22, A05, A06): conv → ReLU → pool
/// chains, fully connected layers seen as convolutions, and the ResNet / DenseNet counts. Derived values come from
/// closed forms stated next to each test. Seeds: S0 = 000_b3d568cb3515f52b.txt, S1 = 001_e4bcf25e35765c8d.txt,
/// S2 = 002_6e1674edcb7ec153.txt, S4 = 004_a7da2731f31c01ab.txt.</summary>
public class NetworkBlockExamples
{
    // E18 — S4 "卷积后续的运算": "source:(80, 80, 3) conv:(1, 1, 78, 78) relu:(1, 1, 78, 78) pooling:(1, 1, 39, 39)", "用的是sobel x
    // 算子", "图四是图三的四分之一大小" (stated). The image is only a picture; derived with every channel of the HWC source equal to
    // |w − 40|: Sobel-x on 3 channels gives −24 left of column 39, 0 at 39, +24 right of it; ReLU keeps 0/24; the 2x2/2 max pool
    // gives 0 for pooled columns ≤ 19 and 24 from 20 on (39² = 78²/4).
    [Fact]
    public void E18_Sobel_Relu_Pool_On80x80x3_Gives78_Then39()
    {
        var hwc = Tensor.FromArray(Enumerable.Range(0, 80 * 80 * 3).Select(i => (double)Math.Abs(i / 3 % 80 - 40)).ToArray(), [80, 80, 3]);
        var x = hwc.Permute(2, 0, 1).Unsqueeze(0);                      // HWC (cv2) → NCHW
        double[] sobelX = [-1, 0, 1, -2, 0, 2, -1, 0, 1];
        var w = Tensor.FromArray([.. sobelX, .. sobelX, .. sobelX], [1, 3, 3, 3]);   // the notes' (3, 1, 3, 3) in (C_out, C_in, kh, kw) order
        var conv = F.Conv2d(x, w);
        Equal(Matrix(78, 78, (_, j) => j < 39 ? -24 : j == 39 ? 0 : 24), conv);
        var relu = F.Relu(conv);
        Equal(Matrix(78, 78, (_, j) => j < 40 ? 0 : 24), relu);
        var pooled = F.MaxPool2d(relu, 2, 2);
        Equal(Matrix(39, 39, (_, k) => k < 20 ? 0 : 24), pooled);
        Assert.Equal(78 * 78 / 4, pooled.Numel);
    }

    // E19 — S0 §5.1 "结构示例": "INPUT[32*32*3] … CONV … [32*32*12] … RELU … [32*32*12] … POOL … [16*16*12] … FC … [1*1*10]" and
    // "RELU和POOLing层只是一个固定的函数运算，是不包含权重和偏移参数的" (stated). Derived with a 3x3 pad-1 conv: 336 conv parameters,
    // 30,730 FC parameters. Values: ones input, conv weights 1/27 → 1 inside, 6/9 on edges, 4/9 at corners; every 2x2 block holds
    // an inside pixel so the pool gives 1; FC weights 1/3072 and bias k give 1 + k.
    [Fact]
    public void E19_Cifar_32x32x3_Conv12_Relu_Pool16_Fc10()
    {
        var conv = F.Conv2d(Filled([1, 3, 32, 32], 1), Filled([12, 3, 3, 3], 1.0 / 27), padding: 1);
        Shape([1, 12, 32, 32], conv);
        var overlap = OutputSizeExamples.Overlap(32, 32, 3, 1, 1);
        for (int c = 0; c < 12; c++) Equal(Matrix(32, 32, (i, j) => overlap[i, j] / 9), conv, c: c);
        var pooled = F.MaxPool2d(F.Relu(conv), 2, 2);
        Shape([1, 12, 16, 16], pooled);
        AllEqual(1, pooled);
        var fc = F.Linear(pooled.Flatten(), Filled([10, 3072], 1.0 / 3072), Tensor.FromArray(Enumerable.Range(0, 10).Select(k => (double)k).ToArray(), [10]));
        Equal(Enumerable.Range(0, 10).Select(k => 1.0 + k).ToArray(), fc.ToDoubleArray(), 1e-12);

        Assert.Equal(336, C.ConvParameters(3, 12, 3, 3));
        Assert.Equal(30_730, C.LinearParameters(16 * 16 * 12, 10));
    }

    // E21 — S2 §2.5 "全连接层转卷积层" item 5: train 224 → 512x7x7, test 384 → 512x12x12, a 7x7 conv gives 6x6, "对测试图像的36个位置使用
    // 了原始的 CNN" (stated). Derived: an FC weight (C_O, C_I·H·W) reshaped to (C_O, C_I, H, W) gives the same outputs as the conv, with
    // the same C_I·W·H·C_O parameters (76 for 2x3x3 → 4; 102,764,544 for VGG's first FC).
    [Fact]
    public void E21_FullyConnectedAsConv_Vgg384Gives6x6_36Positions()
    {
        Assert.Equal((7, 12), (224 / 32, 384 / 32));
        Assert.Equal(6, C.OutputSize(12, 7));
        Assert.Equal(36, C.OutputSize(12, 7) * C.OutputSize(12, 7));
        Assert.Equal(C.LinearParameters(512 * 7 * 7, 4096), C.ConvParameters(512, 4096, 7, 7));

        var x = Tensor.FromArray(Enumerable.Range(0, 18).Select(i => (double)(i % 5 - 2)).ToArray(), [1, 2, 3, 3]);
        var w = Tensor.FromArray(Enumerable.Range(0, 72).Select(i => (double)(i % 7 - 3)).ToArray(), [4, 18]);
        var b = Tensor.FromArray([1.0, -1, 2, 0], [4]);
        var dot = Enumerable.Range(0, 4).Select(o => b[o] + Enumerable.Range(0, 18).Sum(i => w[o, i] * x.ToDoubleArray()[i])).ToArray();
        Equal(dot, F.Linear(x.Flatten(), w, b).ToDoubleArray());
        Equal(dot, F.Conv2d(x, w.Reshape(4, 2, 3, 3), b).ToDoubleArray());
        Assert.Equal(C.LinearParameters(18, 4), C.ConvParameters(2, 4, 3, 3));
    }

    // E22 — S2 §2.5 item 4: "先将测试图像先执行所有可能的裁剪" (here 2x2 = 4 crops; stated). Derived: the 3x3 "FC" K1 slid over the 4x4
    // A gives a 2x2 map, each entry the FC on its crop: E01's [[-1,4],[6,16]].
    [Fact]
    public void E22_SlidingFcOverOnePixelLargerInput_Gives2x2_EachTheFcOfACrop()
    {
        var a = CrossCorrelationExamples.A;
        var fcWeight = Tensor.FromArray(CrossCorrelationExamples.K1.Cast<double>().ToArray(), [1, 9]);
        var map = Plane(F.Conv2d(Image(a), Image(CrossCorrelationExamples.K1)));
        Equal(new double[,] { { -1, 4 }, { 6, 16 } }, map);
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
            {
                var crop = Tensor.FromArray(Matrix(3, 3, (m, n) => a[i + m, j + n]).Cast<double>().ToArray(), [1, 9]);
                Assert.Equal(map[i, j], F.Linear(crop, fcWeight)[0, 0]);
            }
    }

    // A05 / E36 — S0 §5.12 and S4 "ResNets (2015)": 256 → 1x1,64 → 3x3,64 → 1x1,256 with 69,632 weights vs 589,824 (stated), and S1's
    // a_{l+2} = σ(W a_{l+1} + b + a_l) (stated). Derived: with the last 1x1 at zero the bottleneck block returns a_l ≥ 0 unchanged.
    [Fact]
    public void A05_ResNetBottleneck_69632Weights_ZeroLastLayerGivesIdentity()
    {
        Assert.Equal(69_632, C.ConvParameters(256, 64, 1, 1, false) + C.ConvParameters(64, 64, 3, 3, false) + C.ConvParameters(64, 256, 1, 1, false));
        var a = Tensor.FromArray(Enumerable.Range(0, 256 * 16).Select(i => (double)(i % 13)).ToArray(), [1, 256, 4, 4]);
        var h = F.Relu(F.Conv2d(a, Filled([64, 256, 1, 1], 0.01)));
        h = F.Relu(F.Conv2d(h, Filled([64, 64, 3, 3], -0.02), padding: 1));
        var output = F.Relu(F.Conv2d(h, Filled([256, 64, 1, 1], 0)) + a);
        Equal(a.ToDoubleArray(), output.ToDoubleArray(), 0);
    }

    // A06 — S1 "DenseNet中，两个层之间都有直接的连接，因此该网络的直接连接个数为" L(L+1)/2; S4 "A 5-layer dense block with a growth rate
    // of k = 4"; transition BN → Conv(1x1) → AvgPool(2x2) (stated). Derived: counting each layer's inputs (the block input and all
    // earlier layers) gives 15 = 5·6/2; layer ℓ receives k0 + 4(ℓ−1) channels and the block outputs k0 + 20. Batch norm and the
    // concatenating block itself are later(batch norm, concat); the transition's conv + pool run here (k0 = 16: 36 channels).
    [Fact]
    public void A06_DenseBlock_5Layers_15Connections_GrowthRate4()
    {
        const int layers = 5, k = 4, k0 = 16;
        int connections = 0;
        var inputChannels = new List<int>();
        for (int l = 1; l <= layers; l++)
        {
            connections += l;                       // the block input and layers 1..l−1
            inputChannels.Add(k0 + k * (l - 1));
        }
        Assert.Equal(layers * (layers + 1) / 2, connections);
        Assert.Equal(15, connections);
        Assert.Equal([16, 20, 24, 28, 32], inputChannels);
        Assert.Equal(k0 + 20, inputChannels[^1] + k);

        var transition = F.AvgPool2d(F.Conv2d(Filled([1, 36, 8, 8], 1), Filled([36, 36, 1, 1], 1.0 / 36)), 2, 2);
        Shape([1, 36, 4, 4], transition);
        AllEqual(1, transition);
    }
}
