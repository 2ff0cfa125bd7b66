using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Tensors;

namespace Hubel.Models;

/// <summary>Network in Network (Lin, Chen and Yan 2013), the CIFAR-10 model: three mlpconv blocks (a KxK convolution
/// followed by two 1x1 convolutions, i.e. a small MLP slid over the image), 3x3 stride-2 pooling (ceil mode, as the
/// Caffe original) with dropout 0.5 between them, the last block producing one map per class, and global average
/// pooling in place of fully connected layers. 0.97 M parameters for 10 classes; runs on images of 6x6 and up.</summary>
public sealed class Nin : Module
{
    public Nin(int numClasses = 10, int inChannels = 3, Rng? rng = null)
    {
        Block1 = RegisterModule("mlpconv1", new MlpConv(inChannels, 192, 160, 96, 5, rng));
        Pool1 = RegisterModule("pool1", new MaxPool2d(3, 2, ceilMode: true));
        Drop1 = RegisterModule("dropout1", new Dropout(0.5, ModelRng.Child(rng)));
        Block2 = RegisterModule("mlpconv2", new MlpConv(96, 192, 192, 192, 5, rng));
        Pool2 = RegisterModule("pool2", new AvgPool2d(3, 2, ceilMode: true));
        Drop2 = RegisterModule("dropout2", new Dropout(0.5, ModelRng.Child(rng)));
        Block3 = RegisterModule("mlpconv3", new MlpConv(192, 192, 192, numClasses, 3, rng));
        Gap = RegisterModule("gap", new GlobalAvgPool2d());
    }

    public MlpConv Block1 { get; }
    public MaxPool2d Pool1 { get; }
    public Dropout Drop1 { get; }
    public MlpConv Block2 { get; }
    public AvgPool2d Pool2 { get; }
    public Dropout Drop2 { get; }
    public MlpConv Block3 { get; }
    public GlobalAvgPool2d Gap { get; }

    public override Tensor Forward(Tensor input)
    {
        var x = Drop1.Call(Pool1.Call(Block1.Call(input)));
        x = Drop2.Call(Pool2.Call(Block2.Call(x)));
        return Gap.Call(Block3.Call(x)).Flatten(1);
    }
}

/// <summary>NIN's mlpconv layer: conv KxK (padding K/2) - ReLU - conv 1x1 - ReLU - conv 1x1 - ReLU. The 1x1 convolutions
/// are a two-layer perceptron applied at every position across the channels (cross-channel parametric pooling).</summary>
public sealed class MlpConv : Module
{
    public MlpConv(int inChannels, int c1, int c2, int c3, int kernel, Rng? rng = null)
    {
        Layers = RegisterModule("layers", new Sequential(
            new Conv2d(inChannels, c1, kernel, padding: kernel / 2, rng: rng), new ReLU(),
            new Conv2d(c1, c2, 1, rng: rng), new ReLU(),
            new Conv2d(c2, c3, 1, rng: rng), new ReLU()));
    }

    public Sequential Layers { get; }

    public override Tensor Forward(Tensor input) => Layers.Call(input);
}
