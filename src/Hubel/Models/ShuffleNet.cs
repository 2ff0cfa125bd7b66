using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Models;

/// <summary>ShuffleNet v2 (Ma et al. 2018) as torchvision defines it: a 3x3/2 conv and 3x3/2 max pool, three stages of
/// <see cref="ShuffleV2Unit"/> (4, 8, 4 units; the first of each halves the size), a 1x1 conv, global average pooling
/// and one FC layer. x1.0: 2,278,604 parameters (1000 classes); names equal torchvision's. Any input size.</summary>
public sealed class ShuffleNetV2 : Module
{
    /// <summary>ShuffleNet v2 with width multiplier 0.5, 1.0, 1.5 or 2.0 (torchvision's x0_5 ... x2_0).</summary>
    public static ShuffleNetV2 Create(double width, int numClasses = 1000, int inChannels = 3, Rng? rng = null) => width switch
    {
        0.5 => new ShuffleNetV2([24, 48, 96, 192, 1024], numClasses, inChannels, rng),
        1.0 => new ShuffleNetV2([24, 116, 232, 464, 1024], numClasses, inChannels, rng),
        1.5 => new ShuffleNetV2([24, 176, 352, 704, 1024], numClasses, inChannels, rng),
        2.0 => new ShuffleNetV2([24, 244, 488, 976, 2048], numClasses, inChannels, rng),
        _ => throw new ArgumentOutOfRangeException(nameof(width), width, "ShuffleNet v2 width must be 0.5, 1.0, 1.5 or 2.0"),
    };

    /// <param name="channels">stem, stage 2, 3, 4 and final conv widths; stage widths must be even.</param>
    public ShuffleNetV2(int[] channels, int numClasses = 1000, int inChannels = 3, Rng? rng = null, int[]? repeats = null)
    {
        ArgumentNullException.ThrowIfNull(channels);
        repeats ??= [4, 8, 4];
        if (channels.Length != 5 || channels.Any(c => c < 1)) throw new ArgumentException("channels must give 5 positive widths", nameof(channels));
        if (repeats.Length != 3 || repeats.Any(r => r < 1)) throw new ArgumentException("repeats must give 3 stage depths, each >= 1", nameof(repeats));
        Conv1 = RegisterModule("conv1", new Sequential(new Conv2d(inChannels, channels[0], 3, stride: 2, padding: 1, bias: false, rng: rng),
            new BatchNorm2d(channels[0]), new ReLU()));
        MaxPool = RegisterModule("maxpool", new MaxPool2d(3, 2, padding: 1));
        int input = channels[0];
        var stages = new List<Sequential>();
        for (int s = 0; s < 3; s++)
        {
            var stage = new Sequential(new ShuffleV2Unit(input, channels[s + 1], 2, rng));
            for (int i = 1; i < repeats[s]; i++) stage.Add(new ShuffleV2Unit(channels[s + 1], channels[s + 1], 1, rng));
            stages.Add(RegisterModule($"stage{s + 2}", stage));
            input = channels[s + 1];
        }
        Stages = stages;
        Conv5 = RegisterModule("conv5", new Sequential(new Conv2d(input, channels[4], 1, bias: false, rng: rng), new BatchNorm2d(channels[4]), new ReLU()));
        Fc = RegisterModule("fc", new Linear(channels[4], numClasses, rng: rng));
    }

    public Sequential Conv1 { get; }
    public MaxPool2d MaxPool { get; }
    /// <summary>stage2 .. stage4.</summary>
    public IReadOnlyList<Sequential> Stages { get; }
    public Sequential Conv5 { get; }
    public Linear Fc { get; }

    public override Tensor Forward(Tensor input)
    {
        var x = MaxPool.Call(Conv1.Call(input));
        foreach (var stage in Stages) x = stage.Call(x);
        return Fc.Call(F.Mean(Conv5.Call(x), [2, 3]));
    }
}

/// <summary>ShuffleNet v2's unit. Stride 1: split the channels in half, keep one half, send the other through 1x1 conv -
/// BN - ReLU - 3x3 depthwise - BN - 1x1 conv - BN - ReLU ("branch2"), concatenate. Stride 2: both halves come from the
/// whole input, "branch1" being 3x3/2 depthwise - BN - 1x1 conv - BN - ReLU. Then shuffle the channels with 2 groups so
/// the next unit's split mixes both branches.</summary>
public sealed class ShuffleV2Unit : Module
{
    public ShuffleV2Unit(int inChannels, int outChannels, int stride, Rng? rng = null)
    {
        if (stride is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(stride), stride, "stride must be 1 or 2");
        if (outChannels % 2 != 0) throw new ArgumentException($"outChannels ({outChannels}) must be even", nameof(outChannels));
        if (stride == 1 && inChannels != outChannels)
            throw new ArgumentException($"a stride-1 unit keeps its width; got {inChannels} -> {outChannels}", nameof(outChannels));
        int branch = outChannels / 2;
        Stride = stride;
        if (stride > 1)
            Branch1 = RegisterModule("branch1", new Sequential(
                new Conv2d(inChannels, inChannels, 3, stride: stride, padding: 1, groups: inChannels, bias: false, rng: rng), new BatchNorm2d(inChannels),
                new Conv2d(inChannels, branch, 1, bias: false, rng: rng), new BatchNorm2d(branch), new ReLU()));
        Branch2 = RegisterModule("branch2", new Sequential(
            new Conv2d(stride > 1 ? inChannels : branch, branch, 1, bias: false, rng: rng), new BatchNorm2d(branch), new ReLU(),
            new Conv2d(branch, branch, 3, stride: stride, padding: 1, groups: branch, bias: false, rng: rng), new BatchNorm2d(branch),
            new Conv2d(branch, branch, 1, bias: false, rng: rng), new BatchNorm2d(branch), new ReLU()));
    }

    public int Stride { get; }
    public Sequential? Branch1 { get; }
    public Sequential Branch2 { get; }

    public override Tensor Forward(Tensor input)
    {
        Tensor output;
        if (Branch1 is null)
        {
            int half = input.Size(1) / 2;
            output = F.Cat([input.Slice(1, 0, half), Branch2.Call(input.Slice(1, half, input.Size(1)))], 1);
        }
        else output = F.Cat([Branch1.Call(input), Branch2.Call(input)], 1);
        return F.ChannelShuffle(output, 2);
    }
}
