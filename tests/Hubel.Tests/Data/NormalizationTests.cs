using Hubel.Data;

namespace Hubel.Tests.Data;

public sealed class NormalizationTests
{
    [Fact]
    public void Normalize_MatchesFormula_ForEveryByteValue()
    {
        // 259 values: spans more than one vector width and leaves a scalar tail.
        byte[] src = [.. Enumerable.Range(0, 259).Select(i => (byte)i)];
        var got = Normalization.Normalize(src);
        for (int i = 0; i < src.Length; i++)
        {
            double want = (src[i] / 255.0 - 0.2860) / 0.3530;
            Assert.True(Math.Abs(got[i] - want) < 1e-5, $"x={src[i]}: got {got[i]}, want {want}");
        }
    }

    [Fact]
    public void Normalize_CustomMeanStd_AndChecksArguments()
    {
        var dst = new float[2];
        Normalization.Normalize([0, 255], dst, mean: 0.5f, std: 0.5f);
        Assert.Equal(-1f, dst[0], 1e-6f);
        Assert.Equal(1f, dst[1], 1e-6f);
        Assert.Throws<ArgumentException>(() => Normalization.Normalize([1, 2, 3], new float[2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Normalization.Normalize([1], new float[1], 0f, 0f));
    }

    [Fact]
    public void NormalizeImages_GathersBatch()
    {
        var set = new ImageSet([0, 0, 255, 255, 51, 51], [0, 1, 0], 3, 1, 1, 2, ["x", "y"]);
        var dst = new float[4];
        Normalization.NormalizeImages(set, [2, 1], dst, mean: 0f, std: 1f);
        float[] want = [0.2f, 0.2f, 1f, 1f];
        for (int i = 0; i < 4; i++) Assert.Equal(want[i], dst[i], 1e-6f);
        Assert.Throws<ArgumentException>(() => Normalization.NormalizeImages(set, [0], new float[3]));
    }
}
