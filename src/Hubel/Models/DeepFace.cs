using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Tensors;

namespace Hubel.Models;

/// <summary>A DeepFace-style network (Taigman et al. 2014): C1 conv 32@11x11 - M2 3x3/2 max pool - C3 conv 16@9x9, then
/// three locally connected layers (L4 16@9x9, L5 16@7x7 stride 2, L6 16@5x5: a different filter at every position,
/// because each region of an aligned face has its own statistics), F7 FC-4096 with dropout, F8 FC to the identities;
/// ReLU after every layer but the last. At the paper's 152x152 the maps are 142, 71, 63, 55, 25, 21 and the network has
/// about 103 M parameters, most in L4 and F7. Locally connected weights depend on the input size, so the network takes
/// exactly <c>inputSize</c> x <c>inputSize</c> images (72 and up).</summary>
public sealed class DeepFace : Module
{
    public const int MinInputSize = 72;

    public DeepFace(int numClasses, int inChannels = 3, int inputSize = 152, int hidden = 4096, Rng? rng = null)
    {
        if (inputSize < MinInputSize) throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, $"DeepFace needs inputSize >= {MinInputSize}");
        ArgumentOutOfRangeException.ThrowIfLessThan(hidden, 1);
        InputSize = inputSize;
        int c1 = inputSize - 10, m2 = (c1 - 3 + 1) / 2 + 1, c3 = m2 - 8, l4 = c3 - 8, l5 = (l4 - 7) / 2 + 1, l6 = l5 - 4;
        Features = RegisterModule("features", new Sequential(
            new Conv2d(inChannels, 32, 11, rng: rng), new ReLU(),                                // C1
            new MaxPool2d(3, 2, ceilMode: true),                                                  // M2
            new Conv2d(32, 16, 9, rng: rng), new ReLU(),                                          // C3
            new LocallyConnected2d(16, 16, c3, 9, rng: rng), new ReLU(),                          // L4
            new LocallyConnected2d(16, 16, l4, 7, stride: 2, rng: rng), new ReLU(),               // L5
            new LocallyConnected2d(16, 16, l5, 5, rng: rng), new ReLU()));                        // L6
        Classifier = RegisterModule("classifier", new Sequential(
            new Linear(16 * l6 * l6, hidden, rng: rng), new ReLU(), new Dropout(0.5, ModelRng.Child(rng)),   // F7
            new Linear(hidden, numClasses, rng: rng)));                                                      // F8
    }

    public int InputSize { get; }
    public Sequential Features { get; }
    public Sequential Classifier { get; }

    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4 || input.Size(2) != InputSize || input.Size(3) != InputSize)
            throw new ArgumentException($"DeepFace takes [N, C, {InputSize}, {InputSize}] images (locally connected weights are per position); got {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        return Classifier.Call(Features.Call(input).Flatten(1));
    }
}
