using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Models;

/// <summary>
/// The CIFAR ResNets of He et al. 2016 (section 4.2): conv16@3x3 - BN - ReLU, three stages of n basic blocks with 16, 32
/// and 64 channels (the first block of stages 2 and 3 halves the resolution), global average pooling, fc. Depth 6n + 2:
/// ResNet-8 (n = 1, 75,290 parameters), ResNet-14 (n = 2, 172,506), ResNet-20 (n = 3, 269,722), ResNet-32 (n = 5,
/// 464,154), ResNet-56 (n = 9, 853,018), for 3 input channels. Shortcuts are option A (parameter-free:
/// subsample, then zero-pad the new channels), exactly as the peer's models.py; state_dict names equal PyTorch's
/// (conv, bn, layers.0.conv1, layers.0.bn1, ..., fc).
/// </summary>
public sealed class ResNetCifar : Module
{
    /// <param name="depth">6n + 2 with n >= 1: 20, 32, 44, 56, 110, ...</param>
    public ResNetCifar(int depth = 20, int numClasses = 10, int inChannels = 3, Rng? rng = null)
    {
        if (depth < 8 || (depth - 2) % 6 != 0)
            throw new ArgumentOutOfRangeException(nameof(depth), $"depth must be 6n + 2 with n >= 1 (20, 32, 56, ...); got {depth}");
        ArgumentOutOfRangeException.ThrowIfLessThan(numClasses, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        Depth = depth;
        int blocksPerStage = (depth - 2) / 6;
        Conv = RegisterModule("conv", new Conv2d(inChannels, 16, 3, padding: Padding.Explicit(1), bias: false, rng: rng));
        Bn = RegisterModule("bn", new BatchNorm2d(16));
        Layers = RegisterModule("layers", new Sequential());
        int cin = 16;
        foreach (var (cout, stride) in new[] { (16, 1), (32, 2), (64, 2) })
            for (int i = 0; i < blocksPerStage; i++)
            {
                Layers.Add(new CifarBasicBlock(cin, cout, i == 0 ? stride : 1, rng));
                cin = cout;
            }
        _relu = RegisterModule("relu", new ReLU());
        _pool = RegisterModule("pool", new GlobalAvgPool2d());
        Fc = RegisterModule("fc", new Linear(64, numClasses, rng: rng));
    }

    private readonly ReLU _relu;
    private readonly GlobalAvgPool2d _pool;

    public int Depth { get; }
    public Conv2d Conv { get; }
    public BatchNorm2d Bn { get; }
    public Sequential Layers { get; }
    public Linear Fc { get; }

    public override Tensor Forward(Tensor input)
    {
        var x = FusedInference.ConvBnRelu(input, Conv, Bn, _relu);   // one fused pass in eval mode without the tape
        x = Layers.Call(x);
        return Fc.Call(_pool.Call(x).Flatten(1));
    }
}

/// <summary>Two 3x3 conv-BN pairs with a ReLU between and after the sum with the shortcut. When the block changes the
/// stride or the channel count the shortcut is option A: every stride-th pixel, the extra channels zero-padded half
/// before and half after (PyTorch's F.pad(sc, (0, 0, 0, 0, p // 2, p - p // 2))), so it has no parameters and its
/// gradient is the input gradient's matching slice.</summary>
public sealed class CifarBasicBlock : Module
{
    public CifarBasicBlock(int inChannels, int outChannels, int stride, Rng? rng = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        if (outChannels < inChannels)
            throw new ArgumentOutOfRangeException(nameof(outChannels), $"option-A shortcuts only add channels: outChannels must be >= inChannels ({inChannels}); got {outChannels}");
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        Conv1 = RegisterModule("conv1", new Conv2d(inChannels, outChannels, 3, stride: stride, padding: Padding.Explicit(1), bias: false, rng: rng));
        Bn1 = RegisterModule("bn1", new BatchNorm2d(outChannels));
        Conv2 = RegisterModule("conv2", new Conv2d(outChannels, outChannels, 3, padding: Padding.Explicit(1), bias: false, rng: rng));
        Bn2 = RegisterModule("bn2", new BatchNorm2d(outChannels));
        _relu = RegisterModule("relu", new ReLU());
        Stride = stride;
        ChannelPad = outChannels - inChannels;
    }

    private readonly ReLU _relu;

    public Conv2d Conv1 { get; }
    public BatchNorm2d Bn1 { get; }
    public Conv2d Conv2 { get; }
    public BatchNorm2d Bn2 { get; }
    public int Stride { get; }
    /// <summary>Zero channels the shortcut adds (outChannels - inChannels).</summary>
    public int ChannelPad { get; }

    public override Tensor Forward(Tensor input)
    {
        // Layer by layer when training or recording; fused conv-BN-(add)-ReLU passes in eval mode without the tape.
        var y = FusedInference.ConvBnRelu(input, Conv1, Bn1, _relu);
        return FusedInference.ConvBnRelu(y, Conv2, Bn2, _relu, residual: Shortcut(input));
    }

    private Tensor Shortcut(Tensor x)
    {
        if (Stride == 1 && ChannelPad == 0) return x;
        // One gather op, unless a trace (ONNX export, summaries) wants the slice and pad ops it knows.
        if (ForwardTrace.Current is null) return F.SubsamplePadChannels(x, Stride, ChannelPad / 2, ChannelPad - ChannelPad / 2);
        var sc = Stride == 1 ? x : x.Slice(2, 0, x.Size(2), Stride).Slice(3, 0, x.Size(3), Stride);
        return ChannelPad == 0 ? sc : F.Pad(sc, [0, 0, 0, 0, ChannelPad / 2, ChannelPad - ChannelPad / 2]);
    }
}
