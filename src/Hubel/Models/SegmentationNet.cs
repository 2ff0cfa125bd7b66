using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Models;

/// <summary>An encoder-decoder for semantic segmentation (FCN / U-Net style, the notes' "upsampling with transposed
/// convolutions and skip connections"): two encoder stages (two 3x3 conv - BN - ReLU, then 2x2 max pool), a bottleneck,
/// and two decoder stages that upsample with a 2x2 stride-2 transposed convolution, concatenate the encoder maps of the
/// same size (the skip connection restores the detail pooling lost) and apply two 3x3 convs; a 1x1 conv gives per-pixel
/// class scores [N, classes, H, W] at the input's size. Any input of 4x4 and up (odd sizes are padded back after
/// upsampling). With <c>imageLevelOutput</c>, <see cref="Forward"/> averages the pixel scores into image logits
/// [N, classes] (global average pooling of score maps), so it trains on image labels; <see cref="PixelLogits"/> always
/// gives the maps.</summary>
public sealed class SegmentationNet : Module
{
    public SegmentationNet(int numClasses, int inChannels = 3, int width = 16, bool imageLevelOutput = false, Rng? rng = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ImageLevelOutput = imageLevelOutput;
        Enc1 = RegisterModule("enc1", new DoubleConv(inChannels, width, rng));
        Enc2 = RegisterModule("enc2", new DoubleConv(width, 2 * width, rng));
        Bottleneck = RegisterModule("bottleneck", new DoubleConv(2 * width, 4 * width, rng));
        Up2 = RegisterModule("up2", new ConvTranspose2d(4 * width, 2 * width, 2, stride: 2, rng: rng));
        Dec2 = RegisterModule("dec2", new DoubleConv(4 * width, 2 * width, rng));
        Up1 = RegisterModule("up1", new ConvTranspose2d(2 * width, width, 2, stride: 2, rng: rng));
        Dec1 = RegisterModule("dec1", new DoubleConv(2 * width, width, rng));
        Head = RegisterModule("head", new Conv2d(width, numClasses, 1, rng: rng));
        _pool = RegisterModule("pool", new MaxPool2d(2));
    }

    private readonly MaxPool2d _pool;
    public bool ImageLevelOutput { get; }
    public DoubleConv Enc1 { get; }
    public DoubleConv Enc2 { get; }
    public DoubleConv Bottleneck { get; }
    public ConvTranspose2d Up2 { get; }
    public DoubleConv Dec2 { get; }
    public ConvTranspose2d Up1 { get; }
    public DoubleConv Dec1 { get; }
    public Conv2d Head { get; }

    public override Tensor Forward(Tensor input)
    {
        var maps = PixelLogits(input);
        return ImageLevelOutput ? F.Mean(maps, [2, 3]) : maps;
    }

    /// <summary>Per-pixel class scores [N, classes, H, W] for input [N, C, H, W].</summary>
    public Tensor PixelLogits(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4 || input.Size(2) < 4 || input.Size(3) < 4)
            throw new ArgumentException($"input must be [N, C, H, W] with H, W >= 4; got {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        var e1 = Enc1.Call(input);
        var e2 = Enc2.Call(_pool.Call(e1));
        var b = Bottleneck.Call(_pool.Call(e2));
        var d2 = Dec2.Call(F.Cat([e2, MatchSize(Up2.Call(b), e2)], 1));
        var d1 = Dec1.Call(F.Cat([e1, MatchSize(Up1.Call(d2), e1)], 1));
        return Head.Call(d1);
    }

    /// <summary>Cross-entropy averaged over every pixel: logits [N, C, H, W] against class indices laid out [N, H, W]
    /// (row-major, N·H·W entries), by viewing the logits as N·H·W rows of C scores.</summary>
    public static Tensor PixelCrossEntropy(Tensor logits, ReadOnlySpan<int> targets)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.Rank != 4) throw new ArgumentException($"logits must be [N, C, H, W]; got {ShapeMath.Format(logits.ShapeArray)}", nameof(logits));
        int c = logits.Size(1);
        return F.CrossEntropy(logits.Permute(0, 2, 3, 1).Reshape(-1, c), targets);
    }

    /// <summary>Pads an upsampled map at the bottom/right to the skip connection's size (floor pooling of an odd side
    /// loses a row that the transposed convolution cannot restore).</summary>
    private static Tensor MatchSize(Tensor up, Tensor skip)
    {
        int dh = skip.Size(2) - up.Size(2), dw = skip.Size(3) - up.Size(3);
        return dh == 0 && dw == 0 ? up : F.Pad(up, [0, dw, 0, dh]);
    }
}

/// <summary>Two 3x3 conv (padding 1, no bias) - BN - ReLU layers: the U-Net stage.</summary>
public sealed class DoubleConv : Module
{
    public DoubleConv(int inChannels, int outChannels, Rng? rng = null)
    {
        Layers = RegisterModule("layers", new Sequential(
            new Conv2d(inChannels, outChannels, 3, padding: 1, bias: false, rng: rng), new BatchNorm2d(outChannels), new ReLU(),
            new Conv2d(outChannels, outChannels, 3, padding: 1, bias: false, rng: rng), new BatchNorm2d(outChannels), new ReLU()));
    }

    public Sequential Layers { get; }

    public override Tensor Forward(Tensor input) => Layers.Call(input);
}
