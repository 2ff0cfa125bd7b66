using Hubel.Data;
using Hubel.Imaging;
using Hubel.Models;
using Hubel.Serialization;
using Hubel.Tensors;

namespace Hubel.Tests.Data;

/// <summary>Per-channel normalisation travels with a saved model and is what predict applies.</summary>
public sealed class ChannelNormalizationModelFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hubel-norm-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string SaveColourModel()
    {
        string path = Path.Combine(_dir, "colour.safetensors");
        var info = new ModelInfo("lenet5", ["a", "b"], 3, 28, 28, 0.47f, 0.25f) { PerChannel = ChannelNormalization.Cifar10 };
        ModelFile.Save(path, new LeNet5(2, 3, new Rng(1)), info);
        return path;
    }

    [Fact]
    public void Per_channel_statistics_round_trip_and_old_files_read_as_uniform()
    {
        var (_, info) = ModelFile.Load(SaveColourModel());
        Assert.Equal(ChannelNormalization.Cifar10.Mean, info.InputNormalization.Mean);
        Assert.Equal(ChannelNormalization.Cifar10.Std, info.InputNormalization.Std);
        Assert.DoesNotContain("normalize_channel_mean", info.Extra.Keys);

        string grey = Path.Combine(_dir, "grey.safetensors");
        ModelFile.Save(grey, new LeNet5(rng: new Rng(1)), new ModelInfo("lenet5", ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"], 1, 28, 28, 0.286f, 0.353f));
        var (_, greyInfo) = ModelFile.Load(grey);
        Assert.Null(greyInfo.PerChannel);
        Assert.Equal([0.286f], greyInfo.InputNormalization.Mean);
    }

    [Theory]
    [InlineData("normalize_channel_std", "0.2,0,0.2")]
    [InlineData("normalize_channel_mean", "0.5,0.5")]
    [InlineData("normalize_channel_mean", "0.5,x,0.5")]
    public void Malformed_per_channel_metadata_is_rejected(string key, string value)
    {
        string path = SaveColourModel();
        var (tensors, meta) = SafeTensors.Load(path);
        meta[key] = value;
        SafeTensors.Save(path, tensors.Select(kv => (kv.Key, kv.Value)), meta);
        Assert.Contains("normalize_channel", Assert.Throws<InvalidDataException>(() => ModelFile.Load(path)).Message);
    }

    [Fact]
    public void Preprocess_normalises_each_channel_with_its_own_statistics()
    {
        var image = Tensor.FromArray([0.5f, 0.5f, 0.25f, 0.25f, 1f, 1f], [3, 1, 2]);
        var x = Preprocess.ForModel(image, 3, 1, 2, [0.5f, 0.0f, 0.5f], [1f, 0.25f, 0.5f]).ToFloatArray();
        Assert.Equal([0f, 0f, 1f, 1f, 1f, 1f], x);
        Assert.Throws<ArgumentException>(() => Preprocess.ForModel(image, 3, 1, 2, [0.5f], [1f]));
    }
}
