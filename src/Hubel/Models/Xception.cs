using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Models;

/// <summary>Xception (Chollet 2016): Inception taken to the limit, every convolution after the stem a depthwise-separable
/// one. Entry flow: conv 32@3x3/2, conv 64@3x3, then three <see cref="XceptionBlock"/>s to 128, 256, 728 channels each
/// ending in 3x3/2 max pooling; middle flow: eight residual blocks of three separable convs at 728; exit flow: a block to
/// 1024 with pooling, separable convs to 1536 and 2048, global average pooling, FC. Residual 1x1 shortcuts around every
/// block. 22,855,952 parameters (1000 classes, as the Keras/Cadene model); designed for 299x299, runs on 7x7 and up.</summary>
public sealed class Xception : Module
{
    public Xception(int numClasses = 1000, int inChannels = 3, Rng? rng = null)
    {
        Stem = RegisterModule("stem", new Sequential(
            new Conv2d(inChannels, 32, 3, stride: 2, bias: false, rng: rng), new BatchNorm2d(32), new ReLU(),
            new Conv2d(32, 64, 3, bias: false, rng: rng), new BatchNorm2d(64), new ReLU()));
        var blocks = new Sequential(
            new XceptionBlock(64, 128, 2, 2, startWithRelu: false, growFirst: true, rng),
            new XceptionBlock(128, 256, 2, 2, startWithRelu: true, growFirst: true, rng),
            new XceptionBlock(256, 728, 2, 2, startWithRelu: true, growFirst: true, rng));
        for (int i = 0; i < 8; i++) blocks.Add(new XceptionBlock(728, 728, 3, 1, startWithRelu: true, growFirst: true, rng));
        blocks.Add(new XceptionBlock(728, 1024, 2, 2, startWithRelu: true, growFirst: false, rng));
        Blocks = RegisterModule("blocks", blocks);
        Exit = RegisterModule("exit", new Sequential(
            new DepthwiseSeparableConv2d(1024, 1536, 3, padding: 1, bias: false, rng: rng), new BatchNorm2d(1536), new ReLU(),
            new DepthwiseSeparableConv2d(1536, 2048, 3, padding: 1, bias: false, rng: rng), new BatchNorm2d(2048), new ReLU()));
        _pool = RegisterModule("pool", new GlobalAvgPool2d());
        Fc = RegisterModule("fc", new Linear(2048, numClasses, rng: rng));
    }

    private readonly GlobalAvgPool2d _pool;
    public Sequential Stem { get; }
    /// <summary>Entry-flow blocks 1-3, middle-flow blocks 4-11, exit-flow block 12.</summary>
    public Sequential Blocks { get; }
    public Sequential Exit { get; }
    public Linear Fc { get; }

    public override Tensor Forward(Tensor input) => Fc.Call(_pool.Call(Exit.Call(Blocks.Call(Stem.Call(input)))).Flatten(1));
}

/// <summary>An Xception block: <c>reps</c> x (ReLU - 3x3 separable conv - BN), the width changing at the first
/// (growFirst) or last one, then 3x3/stride max pooling when the stride is 2; plus a shortcut (1x1 conv with the
/// stride + BN when the shape changes, else identity).</summary>
public sealed class XceptionBlock : Module
{
    public XceptionBlock(int inChannels, int outChannels, int reps, int stride, bool startWithRelu, bool growFirst, Rng? rng = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(reps, 1);
        if (stride is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(stride), stride, "stride must be 1 or 2");
        var rep = new Sequential();
        for (int i = 0; i < reps; i++)
        {
            bool changes = growFirst ? i == 0 : i == reps - 1;
            int cin = growFirst ? (i == 0 ? inChannels : outChannels) : inChannels;
            int cout = changes ? outChannels : cin;
            if (i > 0 || startWithRelu) rep.Add(new ReLU());
            rep.Add(new DepthwiseSeparableConv2d(cin, cout, 3, padding: 1, bias: false, rng: rng)).Add(new BatchNorm2d(cout));
        }
        if (stride != 1) rep.Add(new MaxPool2d(3, stride, padding: 1));
        Rep = RegisterModule("rep", rep);
        if (inChannels != outChannels || stride != 1)
            Skip = RegisterModule("skip", new Sequential(new Conv2d(inChannels, outChannels, 1, stride: stride, bias: false, rng: rng), new BatchNorm2d(outChannels)));
    }

    public Sequential Rep { get; }
    public Sequential? Skip { get; }

    public override Tensor Forward(Tensor input) => F.Add(Rep.Call(input), Skip?.Call(input) ?? input);
}
