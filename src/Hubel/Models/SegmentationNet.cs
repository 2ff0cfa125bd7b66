using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Models;

/// <summary>How the segmentation decoder doubles the resolution.</summary>
public enum FcnUpsampling
{
    /// <summary>A learned 2x2 stride-2 transposed convolution (U-Net's up-convolution).</summary>
    TransposedConv,
    /// <summary>A 1x1 convolution halving the channels, then fixed bilinear 2x upsampling (no checkerboard artefacts;
    /// 4x fewer weights than the 2x2 transposed conv).</summary>
    Bilinear,
}

/// <summary>An encoder-decoder for semantic segmentation (FCN / U-Net style, the notes' "upsampling with transposed
/// convolutions and skip connections"): two encoder stages (two 3x3 conv - BN - ReLU, then 2x2 max pool), a bottleneck,
/// and two decoder stages that upsample (a 2x2 stride-2 transposed convolution, or a 1x1 conv and bilinear 2x
/// interpolation: <see cref="FcnUpsampling"/>), concatenate the encoder maps of the same size (the skip connection
/// restores the detail pooling lost) and apply two 3x3 convs; a 1x1 conv gives per-pixel class scores [N, classes, H, W]
/// at the input's size. Any input of 4x4 and up (odd sizes are padded back after
/// upsampling). With <c>imageLevelOutput</c>, <see cref="Forward"/> averages the pixel scores into image logits
/// [N, classes] (global average pooling of score maps), so it trains on image labels; <see cref="PixelLogits"/> always
/// gives the maps.</summary>
public sealed class SegmentationNet : Module
{
    public SegmentationNet(int numClasses, int inChannels = 3, int width = 16, bool imageLevelOutput = false, Rng? rng = null,
        FcnUpsampling upsampling = FcnUpsampling.TransposedConv)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (!Enum.IsDefined(upsampling)) throw new ArgumentOutOfRangeException(nameof(upsampling), upsampling, "upsampling must be TransposedConv or Bilinear");
        ImageLevelOutput = imageLevelOutput;
        Upsampling = upsampling;
        Enc1 = RegisterModule("enc1", new DoubleConv(inChannels, width, rng));
        Enc2 = RegisterModule("enc2", new DoubleConv(width, 2 * width, rng));
        Bottleneck = RegisterModule("bottleneck", new DoubleConv(2 * width, 4 * width, rng));
        Up2 = RegisterModule("up2", UpStage(4 * width, 2 * width, upsampling, rng));
        Dec2 = RegisterModule("dec2", new DoubleConv(4 * width, 2 * width, rng));
        Up1 = RegisterModule("up1", UpStage(2 * width, width, upsampling, rng));
        Dec1 = RegisterModule("dec1", new DoubleConv(2 * width, width, rng));
        Head = RegisterModule("head", new Conv2d(width, numClasses, 1, rng: rng));
        _pool = RegisterModule("pool", new MaxPool2d(2));
    }

    private readonly MaxPool2d _pool;
    public bool ImageLevelOutput { get; }
    public FcnUpsampling Upsampling { get; }
    public DoubleConv Enc1 { get; }
    public DoubleConv Enc2 { get; }
    public DoubleConv Bottleneck { get; }
    /// <summary>The decoder's 2x upsampling: a ConvTranspose2d, or a Sequential(Conv2d 1x1, Upsample bilinear).</summary>
    public Module Up2 { get; }
    public DoubleConv Dec2 { get; }
    public Module Up1 { get; }
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

    /// <summary>Doubles the resolution and maps <paramref name="inChannels"/> to <paramref name="outChannels"/>. In the bilinear
    /// stage the 1x1 conv runs before the interpolation: both are linear and the interpolation weights sum to 1, so the
    /// order does not change the result (bias included) and the conv sees 4x fewer pixels.</summary>
    private static Module UpStage(int inChannels, int outChannels, FcnUpsampling upsampling, Rng? rng) => upsampling == FcnUpsampling.Bilinear
        ? new Sequential(new Conv2d(inChannels, outChannels, 1, rng: rng), new Upsample(scaleFactor: 2, mode: UpsampleMode.Bilinear))
        : new ConvTranspose2d(inChannels, outChannels, 2, stride: 2, rng: rng);

    /// <summary>Pads an upsampled map at the bottom/right to the skip connection's size (floor pooling of an odd side
    /// loses a row that 2x upsampling cannot restore).</summary>
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
