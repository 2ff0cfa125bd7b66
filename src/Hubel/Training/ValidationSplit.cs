using Hubel.Data;
using Hubel.Tensors;

namespace Hubel.Training;

/// <summary>Holds a seeded random fraction of a training set out for validation (model selection and early
/// stopping), so the test set is never used to choose anything.</summary>
public static class ValidationSplit
{
    /// <summary>Splits <paramref name="set"/> into training and validation images; the same seed gives the same
    /// split. Both parts keep the original order of their images.</summary>
    public static (ImageSet Train, ImageSet Validation) HoldOut(ImageSet set, double fraction, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(set);
        if (!(fraction > 0 && fraction < 1)) throw new ArgumentOutOfRangeException(nameof(fraction), $"validation fraction must be in (0, 1); got {fraction}");
        int held = (int)Math.Round(set.Count * fraction);
        if (held < 1 || held > set.Count - 1)
            throw new ArgumentOutOfRangeException(nameof(fraction), $"a fraction of {fraction} of {set.Count} images leaves {held} for validation and {set.Count - held} for training; each needs at least one");
        var order = new Rng(seed).Permutation(set.Count);
        var validation = order[..held];
        var train = order[held..];
        Array.Sort(validation);
        Array.Sort(train);
        return (set.Subset(train), set.Subset(validation));
    }
}
