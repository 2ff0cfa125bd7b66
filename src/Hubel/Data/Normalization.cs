using System.Numerics.Tensors;

namespace Hubel.Data;

/// <summary>Turns 8-bit pixels into the float32 inputs a network trains on: <c>(x/255 - mean) / std</c>.</summary>
public static class Normalization
{
    /// <summary>Mean pixel value of the Fashion-MNIST training set, after scaling to [0, 1].</summary>
    public const float FashionMnistMean = 0.2860f;

    /// <summary>Standard deviation of Fashion-MNIST training pixels, after scaling to [0, 1].</summary>
    public const float FashionMnistStd = 0.3530f;

    /// <summary>Writes <c>(source[i]/255 - mean) / std</c> into <paramref name="destination"/>, which must be exactly as long.</summary>
    public static void Normalize(ReadOnlySpan<byte> source, Span<float> destination,
        float mean = FashionMnistMean, float std = FashionMnistStd)
    {
        if (destination.Length != source.Length)
            throw new ArgumentException($"destination has {destination.Length} elements, source {source.Length}", nameof(destination));
        if (!(std > 0) || !float.IsFinite(std))
            throw new ArgumentOutOfRangeException(nameof(std), std, "std must be positive and finite");
        // Folded into x * (1/(255 std)) + (-mean/std): two vector passes instead of four. It differs from the
        // literal formula by an ulp or so, far below anything training can notice.
        TensorPrimitives.ConvertChecked(source, destination);
        TensorPrimitives.Multiply(destination, 1f / (255f * std), destination);
        TensorPrimitives.Add(destination, -mean / std, destination);
    }

    /// <summary>Returns a new array holding <c>(source[i]/255 - mean) / std</c>.</summary>
    public static float[] Normalize(ReadOnlySpan<byte> source, float mean = FashionMnistMean, float std = FashionMnistStd)
    {
        var result = new float[source.Length];
        Normalize(source, result, mean, std);
        return result;
    }

    /// <summary>Gathers the images at <paramref name="indices"/> into <paramref name="destination"/> (NCHW, one image after
    /// another) normalised as above; <paramref name="destination"/> must hold indices.Length × PixelsPerImage floats.
    /// This is the batch-building step of a training loop.</summary>
    public static void NormalizeImages(ImageSet set, ReadOnlySpan<int> indices, Span<float> destination,
        float mean = FashionMnistMean, float std = FashionMnistStd)
    {
        ArgumentNullException.ThrowIfNull(set);
        int per = set.PixelsPerImage;
        if (destination.Length != (long)indices.Length * per)
            throw new ArgumentException(
                $"destination has {destination.Length} elements but {indices.Length} images need {(long)indices.Length * per}", nameof(destination));
        for (int k = 0; k < indices.Length; k++)
            Normalize(set.Image(indices[k]), destination.Slice(k * per, per), mean, std);
    }
}
