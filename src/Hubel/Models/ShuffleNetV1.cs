using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Models;

/// <summary>ShuffleNet v1 (Zhang et al. 2017): a 3x3/2 conv and 3x3/2 max pool, three stages of <see cref="ShuffleV1Unit"/>
/// (4, 8, 4 units), global average pooling and one FC layer. Grouped 1x1 convolutions make the pointwise layers cheap;
/// the channel shuffle between them lets information cross the groups. Groups 3, width 1.0: 240, 480, 960 channels,
/// about 1.9 M parameters (1000 classes). Any input size.</summary>
public sealed class ShuffleNetV1 : Module
{
    private static readonly Dictionary<int, int[]> StageChannels = new()
    {
        [1] = [144, 288, 576], [2] = [200, 400, 800], [3] = [240, 480, 960], [4] = [272, 544, 1088], [8] = [384, 768, 1536],
    };

    public ShuffleNetV1(int numClasses = 1000, int inChannels = 3, int groups = 3, Rng? rng = null)
    {
        if (!StageChannels.TryGetValue(groups, out var widths))
            throw new ArgumentOutOfRangeException(nameof(groups), groups, "ShuffleNet v1 groups must be 1, 2, 3, 4 or 8");
        Conv1 = RegisterModule("conv1", ConvBnAct.Create(inChannels, 24, 3, 2, rng: rng, relu6: false));
        MaxPool = RegisterModule("maxpool", new MaxPool2d(3, 2, padding: 1));
        int input = 24;
        int[] repeats = [4, 8, 4];
        var stages = new List<Sequential>();
        for (int s = 0; s < 3; s++)
        {
            // The first 1x1 convolution of the network is not grouped: 24 input channels are too few to split (paper, §3.3).
            var stage = new Sequential(new ShuffleV1Unit(input, widths[s], 2, groups, groupFirst: s > 0, rng));
            for (int i = 1; i < repeats[s]; i++) stage.Add(new ShuffleV1Unit(widths[s], widths[s], 1, groups, groupFirst: true, rng));
            stages.Add(RegisterModule($"stage{s + 2}", stage));
            input = widths[s];
        }
        Stages = stages;
        Fc = RegisterModule("fc", new Linear(input, numClasses, rng: rng));
    }

    public Sequential Conv1 { get; }
    public MaxPool2d MaxPool { get; }
    public IReadOnlyList<Sequential> Stages { get; }
    public Linear Fc { get; }

    public override Tensor Forward(Tensor input)
    {
        var x = MaxPool.Call(Conv1.Call(input));
        foreach (var stage in Stages) x = stage.Call(x);
        return Fc.Call(F.Mean(x, [2, 3]));
    }
}

/// <summary>ShuffleNet v1's unit: grouped 1x1 conv to C'/4 - BN - ReLU - channel shuffle - 3x3 depthwise (stride here)
/// - BN - grouped 1x1 conv - BN. Stride 1: added to the input, then ReLU. Stride 2: concatenated with a 3x3/2 average
/// pool of the input (so the branch produces C' - C channels), then ReLU.</summary>
public sealed class ShuffleV1Unit : Module
{
    public ShuffleV1Unit(int inChannels, int outChannels, int stride, int groups, bool groupFirst = true, Rng? rng = null)
    {
        if (stride is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(stride), stride, "stride must be 1 or 2");
        int branchOut = stride == 2 ? outChannels - inChannels : outChannels;
        if (stride == 1 && inChannels != outChannels) throw new ArgumentException($"a stride-1 unit keeps its width; got {inChannels} -> {outChannels}", nameof(outChannels));
        int mid = outChannels / 4;
        int firstGroups = groupFirst ? groups : 1;
        Stride = stride;
        Groups = groups;
        Compress = RegisterModule("compress", ConvBnAct.Create(inChannels, mid, 1, 1, groups: firstGroups, rng: rng, relu6: false));
        _shuffle = RegisterModule("shuffle", new ChannelShuffle(groups));
        Depthwise = RegisterModule("depthwise", new Sequential(
            new Conv2d(mid, mid, 3, stride: stride, padding: 1, groups: mid, bias: false, rng: rng), new BatchNorm2d(mid)));
        Expand = RegisterModule("expand", new Sequential(new Conv2d(mid, branchOut, 1, groups: groups, bias: false, rng: rng), new BatchNorm2d(branchOut)));
        if (stride == 2) _shortcutPool = RegisterModule("shortcut", new AvgPool2d(3, 2, padding: 1));
    }

    private readonly ChannelShuffle _shuffle;
    private readonly AvgPool2d? _shortcutPool;
    public int Stride { get; }
    public int Groups { get; }
    public Sequential Compress { get; }
    public Sequential Depthwise { get; }
    public Sequential Expand { get; }

    public override Tensor Forward(Tensor input)
    {
        var y = Expand.Call(Depthwise.Call(_shuffle.Call(Compress.Call(input))));
        return F.Relu(_shortcutPool is null ? F.Add(input, y) : F.Cat([_shortcutPool.Call(input), y], 1));
    }
}
