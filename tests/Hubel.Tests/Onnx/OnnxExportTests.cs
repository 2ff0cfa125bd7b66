using Hubel.Models;
using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Ops;
using Hubel.Serialization.Onnx;
using Hubel.Tensors;

namespace Hubel.Tests.Onnx;

/// <summary>Every exportable layer: a small model exported at the pinned opset, run in ONNX Runtime, compared with Hubel.</summary>
public class OnnxExportTests
{
    private static Rng R => new(11);

    /// <summary>Name → (model, one sample's shape). Random BN statistics so eval mode is not the identity.</summary>
    private static (Module Model, int[] Shape) Case(string name) => name switch
    {
        "conv1d" => (new Sequential(new Conv1d(2, 4, 3, stride: 2, padding: 1, dilation: 1, groups: 2, rng: R)), [2, 11]),
        "conv2d" => (new Sequential(new Conv2d(4, 6, (3, 2), stride: (2, 1), padding: (1, 1), dilation: (2, 1), groups: 2, rng: R)), [4, 9, 8]),
        "conv2d_same" => (new Sequential(new Conv2d(3, 4, 3, padding: Padding.Same, rng: R)), [3, 7, 7]),
        "conv2d_reflect" => (new Sequential(new Conv2d(2, 3, 3, padding: 1, paddingMode: PaddingMode.Reflect, rng: R)), [2, 6, 6]),
        "conv3d" => (new Sequential(new Conv3d(2, 3, (2, 3, 3), stride: (1, 2, 2), padding: 1, rng: R)), [2, 4, 6, 6]),
        "convtranspose1d" => (new Sequential(new ConvTranspose1d(3, 2, 3, stride: 2, padding: 1, outputPadding: 1, rng: R)), [3, 5]),
        "convtranspose2d" => (new Sequential(new ConvTranspose2d(4, 4, 3, stride: 2, padding: 1, outputPadding: 1, groups: 2, rng: R)), [4, 5, 5]),
        "convtranspose3d" => (new Sequential(new ConvTranspose3d(2, 2, 2, stride: 2, rng: R)), [2, 3, 3, 3]),
        "depthwise_separable" => (new Sequential(new DepthwiseSeparableConv2d(4, 6, 3, padding: 1, rng: R)), [4, 6, 6]),
        "maxpool" => (new Sequential(new MaxPool1d(3, 2, 1), new Flatten(), new Linear(8, 3, rng: R)), [2, 8]),
        "maxpool2d" => (new Sequential(new MaxPool2d(3, 2, 1, ceilMode: true)), [2, 8, 9]),
        "maxpool3d" => (new Sequential(new MaxPool3d(2)), [2, 4, 4, 4]),
        "avgpool" => (new Sequential(new AvgPool2d(3, 2, 1, countIncludePad: false), new Flatten()), [2, 7, 7]),
        "avgpool1d3d" => (new Sequential(new AvgPool3d(2, padding: 1)), [1, 4, 4, 4]),
        "avgpool1d" => (new Sequential(new AvgPool1d(3, 2, 1)), [2, 9]),
        "lppool1d" => (new Sequential(new LPPool1d(2, 3, 2)), [2, 9]),
        "lppool" => (new Sequential(new LPPool2d(2, 2)), [3, 6, 6]),
        "global_pools" => (new Sequential(new Conv2d(2, 4, 3, rng: R), new GlobalAvgPool2d(), new Flatten()), [2, 6, 6]),
        "global_max" => (new Sequential(new GlobalMaxPool2d()), [3, 5, 4]),
        "adaptive" => (new Sequential(new AdaptiveAvgPool2d((2, 3))), [2, 6, 6]),
        "adaptive_uneven" => (new Sequential(new AdaptiveAvgPool2d((3, 6)), new Flatten()), [2, 5, 4]),
        "avgpool_ceil" => (new Sequential(new AvgPool2d(3, 2, ceilMode: true)), [2, 8, 8]),
        "activations" => (new Sequential(new Linear(5, 8, rng: R), new ReLU(), new Linear(8, 8, rng: R), new LeakyReLU(0.2), new ELU(0.7), new Sigmoid(), new Tanh(), new Softplus(2.0)), [5]),
        "prelu" => (new Sequential(new Conv2d(2, 3, 1, rng: R), new PReLU(3, 0.1)), [2, 4, 4]),
        "batchnorm" => (new Sequential(new Conv2d(2, 3, 3, rng: R), Trained(new BatchNorm2d(3))), [2, 5, 5]),
        "batchnorm1d" => (new Sequential(new Linear(4, 6, rng: R), Trained(new BatchNorm1d(6))), [4]),
        "lrn" => (new Sequential(new LocalResponseNorm(3, 1e-2, 0.75, 2.0)), [5, 4, 4]),
        "upsample_nearest" => (new Sequential(new Upsample(scaleFactor: 2)), [2, 3, 4]),
        "upsample_bilinear" => (new Sequential(new Upsample(scaleFactor: 2, mode: UpsampleMode.Bilinear)), [2, 3, 4]),
        "upsample_bilinear_corners" => (new Sequential(new Upsample(size: (5, 7), mode: UpsampleMode.Bilinear, alignCorners: true)), [1, 3, 4]),
        "reshape_shuffle" => (new Sequential(new Conv2d(2, 6, 1, rng: R), new ChannelShuffle(3), new Reshape(6, 9), new Flatten()), [2, 3, 3]),
        "dropout" => (new Sequential(new Linear(4, 4, rng: R), new Dropout(0.5), new Linear(4, 2, rng: R)), [4]),
        _ => throw new ArgumentException(name),
    };

    /// <summary>Runs a few training batches so the running statistics differ from 0 and 1.</summary>
    private static Module Trained(BatchNorm bn)
    {
        var rng = new Rng(3);
        int[] shape = bn is BatchNorm1d ? [8, bn.NumFeatures] : [8, bn.NumFeatures, 3, 3];
        for (int i = 0; i < 3; i++) bn.Call(Tensor.Normal(shape, 0.5, 2, rng));
        return bn;
    }

    public static TheoryData<string> Layers => new(
        "conv1d", "conv2d", "conv2d_same", "conv2d_reflect", "conv3d", "convtranspose1d", "convtranspose2d", "convtranspose3d",
        "depthwise_separable", "maxpool", "maxpool2d", "maxpool3d", "avgpool", "avgpool1d3d", "avgpool1d", "lppool", "lppool1d", "global_pools", "global_max",
        "adaptive", "adaptive_uneven", "avgpool_ceil", "activations", "prelu", "batchnorm", "batchnorm1d", "lrn", "upsample_nearest", "upsample_bilinear",
        "upsample_bilinear_corners", "reshape_shuffle", "dropout");

    [Theory]
    [MemberData(nameof(Layers))]
    public void Exported_layer_runs_in_onnx_runtime_like_hubel(string name)
    {
        var (model, shape) = Case(name);
        OrtOracle.AssertMatches(model, shape);
    }

    [Fact]
    public void LeNet5_exports_and_matches_onnx_runtime()
    {
        var bytes = OrtOracle.AssertMatches(new LeNet5(rng: new Rng(5)), [1, 28, 28]);
        var proto = OnnxProtoReader.Parse(bytes);
        Assert.Contains(proto.OpsetImports, o => o.Domain == "" && o.Version == OnnxFormat.Opset);
        Assert.Equal(["Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Reshape", "Gemm", "Relu", "Gemm", "Relu", "Gemm", "Identity"],
            proto.Graph.Nodes.Select(n => n.OpType));
        Assert.Contains(proto.Graph.Initializers, t => t.Name == "conv1.weight");
    }

    [Fact]
    public void Residual_and_concat_branches_export()
    {
        OrtOracle.AssertMatches(new BranchyNet(), [3, 8, 8]);
    }

    [Fact]
    public void Mean_scale_and_zero_pad_in_forward_export()
    {
        OrtOracle.AssertMatches(new MeanPadHead(), [2, 5, 5]);
    }

    [Fact]
    public void Softmax_axis_is_recovered_from_the_output()
    {
        OrtOracle.AssertMatches(new SoftmaxHead(), [6]);
    }

    [Fact]
    public void Unsupported_layer_names_the_op()
    {
        var model = new Sequential(new Maxout(2));
        var e = Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(model, [1, 4, 3, 3]));
        Assert.Contains("maxout", e.Message);
    }

    /// <summary>A residual block (Add), a two-branch Concat and a slice, as in ResNet/GoogLeNet/DenseNet.</summary>
    private sealed class BranchyNet : Module
    {
        private readonly Conv2d _stem, _a, _b;
        private readonly BatchNorm2d _bn;
        private readonly ReLU _relu = new();
        private readonly Linear _fc;

        public BranchyNet()
        {
            var r = new Rng(9);
            _stem = RegisterModule("stem", new Conv2d(3, 4, 3, padding: 1, rng: r));
            _bn = RegisterModule("bn", (BatchNorm2d)Trained(new BatchNorm2d(4)));
            _a = RegisterModule("a", new Conv2d(4, 4, 3, padding: 1, rng: r));
            _b = RegisterModule("b", new Conv2d(4, 2, 1, rng: r));
            _fc = RegisterModule("fc", new Linear(6, 3, rng: r));
            RegisterModule("relu", _relu);
        }

        public override Tensor Forward(Tensor input)
        {
            var x = _relu.Call(_bn.Call(_stem.Call(input)));
            var res = F.Add(x, _a.Call(x));
            var cat = F.Cat([res.Slice(1, 0, 4, 1), _b.Call(res)], 1);
            var pooled = F.GlobalAvgPool2d(cat).Flatten(1);
            return _fc.Call(pooled);
        }
    }

    /// <summary>F.Pad to align a branch (as a segmentation net does), F.Mean over H and W (as ShuffleNet's head), scalar ops.</summary>
    private sealed class MeanPadHead : Module
    {
        private readonly Conv2d _conv = new(2, 3, 2, rng: new Rng(12));
        public MeanPadHead() => RegisterModule("conv", _conv);
        public override Tensor Forward(Tensor input)
        {
            var x = F.Pad(_conv.Call(input), [0, 1, 0, 1]);
            x = F.AddScalar(F.Scale(F.Add(x, input.Slice(1, 0, 1)), 0.5), 0.25);
            return F.Mean(x, [2, 3]);
        }
    }

    private sealed class SoftmaxHead : Module
    {
        private readonly Linear _fc = new(6, 4, rng: new Rng(2));
        public SoftmaxHead() => RegisterModule("fc", _fc);
        public override Tensor Forward(Tensor input) => F.LogSoftmax(_fc.Call(input), 1);
    }
}
