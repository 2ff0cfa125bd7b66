using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Models;

/// <summary>GoogLeNet / Inception v1 (Szegedy et al. 2014) as torchvision defines it: a 7x7/2 stem, nine Inception
/// blocks in three stages separated by 3x3/2 max pooling (ceil mode), global average pooling, dropout 0.2 and one FC
/// layer; every convolution is <see cref="BasicConv2d"/> (conv without bias, batch norm eps 0.001, ReLU).
/// 6,624,904 parameters without the auxiliary heads, 13,004,888 with them (1000 classes); names equal torchvision's.
/// As in torchvision (kept for its weights), the "5x5" branch uses a 3x3 kernel. Runs on images of 31x31 and up.</summary>
public sealed class GoogLeNet : Module
{
    public GoogLeNet(int numClasses = 1000, int inChannels = 3, bool auxLogits = false, Rng? rng = null)
    {
        Conv1 = RegisterModule("conv1", new BasicConv2d(inChannels, 64, 7, stride: 2, padding: 3, rng: rng));
        MaxPool1 = RegisterModule("maxpool1", new MaxPool2d(3, 2, ceilMode: true));
        Conv2 = RegisterModule("conv2", new BasicConv2d(64, 64, 1, rng: rng));
        Conv3 = RegisterModule("conv3", new BasicConv2d(64, 192, 3, padding: 1, rng: rng));
        MaxPool2 = RegisterModule("maxpool2", new MaxPool2d(3, 2, ceilMode: true));
        Inception3a = RegisterModule("inception3a", new InceptionBlock(192, 64, 96, 128, 16, 32, 32, rng));
        Inception3b = RegisterModule("inception3b", new InceptionBlock(256, 128, 128, 192, 32, 96, 64, rng));
        MaxPool3 = RegisterModule("maxpool3", new MaxPool2d(3, 2, ceilMode: true));
        Inception4a = RegisterModule("inception4a", new InceptionBlock(480, 192, 96, 208, 16, 48, 64, rng));
        Inception4b = RegisterModule("inception4b", new InceptionBlock(512, 160, 112, 224, 24, 64, 64, rng));
        Inception4c = RegisterModule("inception4c", new InceptionBlock(512, 128, 128, 256, 24, 64, 64, rng));
        Inception4d = RegisterModule("inception4d", new InceptionBlock(512, 112, 144, 288, 32, 64, 64, rng));
        Inception4e = RegisterModule("inception4e", new InceptionBlock(528, 256, 160, 320, 32, 128, 128, rng));
        MaxPool4 = RegisterModule("maxpool4", new MaxPool2d(2, 2, ceilMode: true));
        Inception5a = RegisterModule("inception5a", new InceptionBlock(832, 256, 160, 320, 32, 128, 128, rng));
        Inception5b = RegisterModule("inception5b", new InceptionBlock(832, 384, 192, 384, 48, 128, 128, rng));
        if (auxLogits)
        {
            Aux1 = RegisterModule("aux1", new InceptionAux(512, numClasses, rng));
            Aux2 = RegisterModule("aux2", new InceptionAux(528, numClasses, rng));
        }
        AvgPool = RegisterModule("avgpool", new GlobalAvgPool2d());
        Dropout = RegisterModule("dropout", new Dropout(0.2, ModelRng.Child(rng)));
        Fc = RegisterModule("fc", new Linear(1024, numClasses, rng: rng));
    }

    public BasicConv2d Conv1 { get; }
    public MaxPool2d MaxPool1 { get; }
    public BasicConv2d Conv2 { get; }
    public BasicConv2d Conv3 { get; }
    public MaxPool2d MaxPool2 { get; }
    public InceptionBlock Inception3a { get; }
    public InceptionBlock Inception3b { get; }
    public MaxPool2d MaxPool3 { get; }
    public InceptionBlock Inception4a { get; }
    public InceptionBlock Inception4b { get; }
    public InceptionBlock Inception4c { get; }
    public InceptionBlock Inception4d { get; }
    public InceptionBlock Inception4e { get; }
    public MaxPool2d MaxPool4 { get; }
    public InceptionBlock Inception5a { get; }
    public InceptionBlock Inception5b { get; }
    public InceptionAux? Aux1 { get; }
    public InceptionAux? Aux2 { get; }
    public GlobalAvgPool2d AvgPool { get; }
    public Dropout Dropout { get; }
    public Linear Fc { get; }

    /// <summary>The main classifier's logits (what evaluation and the trainer use).</summary>
    public override Tensor Forward(Tensor input) => ForwardWithAux(input).Logits;

    /// <summary>The main logits and, in training mode with auxiliary heads, the two auxiliary logits (the paper adds
    /// 0.3 x their losses to the main loss); the auxiliary entries are null otherwise.</summary>
    public (Tensor Logits, Tensor? Aux1, Tensor? Aux2) ForwardWithAux(Tensor input)
    {
        var x = MaxPool1.Call(Conv1.Call(input));
        x = MaxPool2.Call(Conv3.Call(Conv2.Call(x)));
        x = MaxPool3.Call(Inception3b.Call(Inception3a.Call(x)));
        x = Inception4a.Call(x);
        var aux1 = IsTraining ? Aux1?.Call(x) : null;
        x = Inception4d.Call(Inception4c.Call(Inception4b.Call(x)));
        var aux2 = IsTraining ? Aux2?.Call(x) : null;
        x = MaxPool4.Call(Inception4e.Call(x));
        x = Inception5b.Call(Inception5a.Call(x));
        x = Dropout.Call(AvgPool.Call(x).Flatten(1));
        return (Fc.Call(x), aux1, aux2);
    }
}

/// <summary>Convolution (no bias) - batch norm - ReLU, torchvision's BasicConv2d (children conv, bn; bn eps 0.001).</summary>
public sealed class BasicConv2d : Module
{
    public BasicConv2d(int inChannels, int outChannels, Size2 kernel, Size2? stride = null, Padding? padding = null, double eps = 0.001, Rng? rng = null)
    {
        Conv = RegisterModule("conv", new Conv2d(inChannels, outChannels, kernel, stride, padding, bias: false, rng: rng));
        Bn = RegisterModule("bn", new BatchNorm2d(outChannels, eps));
    }

    public Conv2d Conv { get; }
    public BatchNorm2d Bn { get; }

    public override Tensor Forward(Tensor input) => F.Relu(Bn.Call(Conv.Call(input)));
}

/// <summary>An Inception block: four parallel branches concatenated along channels: 1x1; 1x1 reduction then 3x3;
/// 1x1 reduction then the "5x5" (3x3 in torchvision); 3x3/1 max pooling then a 1x1 projection. The 1x1 reductions keep
/// the 3x3/5x5 convolutions cheap (the notes' 28x28x192 example).</summary>
public sealed class InceptionBlock : Module
{
    public InceptionBlock(int inChannels, int ch1x1, int ch3x3Reduce, int ch3x3, int ch5x5Reduce, int ch5x5, int poolProj, Rng? rng = null)
    {
        Branch1 = RegisterModule("branch1", new BasicConv2d(inChannels, ch1x1, 1, rng: rng));
        Branch2 = RegisterModule("branch2", new Sequential(new BasicConv2d(inChannels, ch3x3Reduce, 1, rng: rng),
            new BasicConv2d(ch3x3Reduce, ch3x3, 3, padding: 1, rng: rng)));
        Branch3 = RegisterModule("branch3", new Sequential(new BasicConv2d(inChannels, ch5x5Reduce, 1, rng: rng),
            new BasicConv2d(ch5x5Reduce, ch5x5, 3, padding: 1, rng: rng)));
        Branch4 = RegisterModule("branch4", new Sequential(new MaxPool2d(3, 1, padding: 1, ceilMode: true),
            new BasicConv2d(inChannels, poolProj, 1, rng: rng)));
        OutChannels = ch1x1 + ch3x3 + ch5x5 + poolProj;
    }

    public int OutChannels { get; }
    public BasicConv2d Branch1 { get; }
    public Sequential Branch2 { get; }
    public Sequential Branch3 { get; }
    public Sequential Branch4 { get; }

    public override Tensor Forward(Tensor input) =>
        F.Cat([Branch1.Call(input), Branch2.Call(input), Branch3.Call(input), Branch4.Call(input)], 1);
}

/// <summary>GoogLeNet's auxiliary classifier: adaptive 4x4 average pool - 1x1 conv 128 - FC 1024 - ReLU - dropout 0.7 - FC.</summary>
public sealed class InceptionAux : Module
{
    public InceptionAux(int inChannels, int numClasses, Rng? rng = null)
    {
        Conv = RegisterModule("conv", new BasicConv2d(inChannels, 128, 1, rng: rng));
        Fc1 = RegisterModule("fc1", new Linear(2048, 1024, rng: rng));
        Fc2 = RegisterModule("fc2", new Linear(1024, numClasses, rng: rng));
        _pool = RegisterModule("pool", new AdaptiveAvgPool2d(4));
        _dropout = RegisterModule("dropout", new Dropout(0.7, ModelRng.Child(rng)));
    }

    private readonly AdaptiveAvgPool2d _pool;
    private readonly Dropout _dropout;
    public BasicConv2d Conv { get; }
    public Linear Fc1 { get; }
    public Linear Fc2 { get; }

    public override Tensor Forward(Tensor input)
    {
        var x = Conv.Call(_pool.Call(input)).Flatten(1);
        return Fc2.Call(_dropout.Call(F.Relu(Fc1.Call(x))));
    }
}
