using Hubel.Tensors;

namespace Hubel.Models;

/// <summary>SE-ResNet (Hu, Shen and Sun 2017): ResNet with a squeeze-and-excitation block in every residual block. The
/// SE block (<see cref="Nn.Layers.SeBlock"/>: global average pool - FC C/r - ReLU - FC C - sigmoid, scaling each channel)
/// sits on the residual branch after its last batch norm, before the addition, as in the paper's Fig. 3. Reduction
/// r = 16 adds about 2·C²/16 parameters per block: SE-ResNet-50 has 28.09 M parameters against ResNet-50's 25.56 M.</summary>
public static class SeResNet
{
    /// <summary>SE-ResNet-<paramref name="depth"/> (18, 34, 50, 101 or 152) with reduction <paramref name="reduction"/>.</summary>
    public static ResNet Create(int depth, int numClasses = 1000, int inChannels = 3, Rng? rng = null, int reduction = 16)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(reduction, 1);
        var (layers, bottleneck) = ResNet.Layout(depth);
        return new ResNet(layers, bottleneck, numClasses, inChannels, reduction, rng);
    }
}
