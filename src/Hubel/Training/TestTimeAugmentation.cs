using System.Globalization;
using System.Numerics.Tensors;
using Hubel.Autograd;
using Hubel.Data;
using Hubel.Data.Augmentation;
using Hubel.Nn;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Training;

/// <summary>Which views of each test image are classified and averaged.</summary>
public enum TestTimeViews
{
    /// <summary>The image as it is: one view.</summary>
    None,
    /// <summary>The image and its mirror image: two views.</summary>
    Flip,
    /// <summary>The notes' ten crops (AlexNet's test-time rule): the four corner windows and the centre window of the
    /// image padded by <see cref="TestTimeAugmentation.Padding"/>, each also mirrored.</summary>
    TenCrop,
}

/// <summary>
/// Test-time augmentation: the model classifies several views of every test image and the class is taken from the
/// mean of the views' softmax probabilities. The notes give the rule for networks trained on random crops: predict on
/// "the top-left, bottom-left, top-right, bottom-right and centre crops, and their mirror images, ten positions in
/// all". A network trained with padded random crops (`--augment crop:P,flip`) has seen exactly those windows, so the
/// padded image's corner windows are the content shifted by ±P pixels, filled with black as in training.
/// </summary>
public sealed class TestTimeAugmentation
{
    /// <param name="views">which views to average.</param>
    /// <param name="padding">for <see cref="TestTimeViews.TenCrop"/>: the border the corner windows reach into, 1..64
    /// (use the training crop's padding).</param>
    public TestTimeAugmentation(TestTimeViews views, int padding = 2)
    {
        if (!Enum.IsDefined(views)) throw new ArgumentOutOfRangeException(nameof(views), views, "views must be None, Flip or TenCrop");
        if (views == TestTimeViews.TenCrop && padding is < 1 or > 64)
            throw new ArgumentOutOfRangeException(nameof(padding), padding, "ten-crop padding must be in 1..64");
        Views = views;
        Padding = views == TestTimeViews.TenCrop ? padding : 0;
        Shifts = views switch
        {
            TestTimeViews.None => [(0, 0, false)],
            TestTimeViews.Flip => [(0, 0, false), (0, 0, true)],
            _ => [.. new[] { (0, 0), (Padding, Padding), (Padding, -Padding), (-Padding, Padding), (-Padding, -Padding) }
                    .SelectMany(s => new[] { (s.Item1, s.Item2, false), (s.Item1, s.Item2, true) })],
        };
    }

    public TestTimeViews Views { get; }
    public int Padding { get; }
    public int ViewCount => Shifts.Count;

    /// <summary>Every view as (content shift down, content shift right, mirrored).</summary>
    public IReadOnlyList<(int Dy, int Dx, bool Mirror)> Shifts { get; }

    /// <summary>Parses the CLI's spelling: "none", "flip", "ten-crop" (padding 2) or "ten-crop:P".</summary>
    public static TestTimeAugmentation Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string s = spec.Trim().ToLowerInvariant();
        if (s == "none") return new TestTimeAugmentation(TestTimeViews.None);
        if (s == "flip") return new TestTimeAugmentation(TestTimeViews.Flip);
        if (s == "ten-crop") return new TestTimeAugmentation(TestTimeViews.TenCrop);
        if (s.StartsWith("ten-crop:", StringComparison.Ordinal))
        {
            if (!int.TryParse(s["ten-crop:".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out int p) || p is < 1 or > 64)
                throw new ArgumentException($"'{spec}': ten-crop padding must be a whole number in 1..64 (ten-crop:2)", nameof(spec));
            return new TestTimeAugmentation(TestTimeViews.TenCrop, p);
        }
        throw new ArgumentException($"'{spec}' is not a test-time augmentation; use none, flip, ten-crop or ten-crop:P", nameof(spec));
    }

    /// <summary>View <paramref name="view"/> of a batch of normalised images [N, C, H, W], same shape.
    /// <paramref name="background"/> is the normalised black level per channel (what uncovered pixels become).</summary>
    public Tensor View(Tensor images, IReadOnlyList<float> background, int view)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfNegative(view);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(view, ViewCount);
        if (images.Rank != 4) throw new ArgumentException($"images must be [N, C, H, W]; got rank {images.Rank}", nameof(images));
        int n = images.Size(0), c = images.Size(1), h = images.Size(2), w = images.Size(3);
        var data = images.ToFloatArray();
        var batch = new ImageBatch(data, n, c, h, w, background);
        var (dy, dx, mirror) = Shifts[view];
        for (int i = 0; i < n; i++)
        {
            var image = batch.Image(i);
            Translation.Shift(image, batch, dy, dx);
            if (mirror) HorizontalFlip.Mirror(image, batch);
        }
        return Tensor.Wrap(data, [n, c, h, w]);
    }

    /// <summary>Mean softmax probabilities over the views, [N, classes] as a flat array; the model runs in eval mode
    /// without a graph, one view at a time (so memory stays that of one plain batch).</summary>
    public float[] AverageProbabilities(Module model, Tensor images, IReadOnlyList<float> background)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(images);
        bool wasTraining = model.IsTraining;
        model.Eval();
        try
        {
            using var _ = Graph.NoGrad();
            float[]? mean = null;
            for (int v = 0; v < ViewCount; v++)
            {
                using var scope = MemoryScope.Begin();
                var probabilities = F.Softmax(model.Forward(View(images, background, v)), 1).ToFloatArray();
                if (mean is null) mean = probabilities;
                else TensorPrimitives.Add(mean, probabilities, mean);
            }
            TensorPrimitives.Multiply(mean!, 1f / ViewCount, mean!);
            return mean!;
        }
        finally { model.Train(wasTraining); }
    }

    /// <summary>Accuracy, loss (cross-entropy of the averaged probabilities) and confusion matrix over a test loader.</summary>
    public Evaluation Evaluate(Module model, BatchLoader data)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (Views == TestTimeViews.None) return Trainer.Evaluate(model, data);
        var tally = new EvaluationTally(data.Set.ClassCount);
        var background = data.InputNormalization.BlackLevel();
        foreach (var (x, y) in data.Epoch())
        {
            var mean = AverageProbabilities(model, x, background);
            int k = mean.Length / y.Length;
            for (int i = 0; i < y.Length; i++)
            {
                var row = mean.AsSpan(i * k, k);
                tally.AddLoss(-Math.Log(Math.Max(row[y[i]], 1e-30f)));
                tally.Add(y[i], TensorPrimitives.IndexOfMax<float>(row));
            }
        }
        return tally.Result();
    }

    public override string ToString() => Views switch
    {
        TestTimeViews.None => "none",
        TestTimeViews.Flip => "flip",
        _ => string.Create(CultureInfo.InvariantCulture, $"ten-crop:{Padding}"),
    };
}
