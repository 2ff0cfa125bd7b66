using System.Text.Json;
using Hubel.Imaging;
using Hubel.Tensors;

namespace Hubel.Tests.Cli;

/// <summary>`hubel train/eval/predict` on a folder of pictures written by the test, and the data options' errors.</summary>
public sealed class TrainDataCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hubel-cli-data-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>40 noisy 14x14 colour pictures: 20 reddish "hot" ones and 20 bluish "cold" ones.</summary>
    private string WritePictures()
    {
        string root = Path.Combine(_dir, "pictures");
        var rng = new Rng(4);
        foreach (var (name, hot) in new[] { ("hot", true), ("cold", false) })
            for (int i = 0; i < 20; i++)
            {
                var v = new float[3 * 14 * 14];
                for (int p = 0; p < 14 * 14; p++)
                {
                    float noise = (float)rng.NextDouble() * 0.3f;
                    v[p] = (hot ? 0.7f : 0.1f) + noise;
                    v[196 + p] = 0.3f + noise;
                    v[392 + p] = (hot ? 0.1f : 0.7f) + noise;
                }
                Directory.CreateDirectory(Path.Combine(root, name));
                ImageFile.SavePng(Path.Combine(root, name, $"{i:D2}.png"), Tensor.FromArray(v, [3, 14, 14]));
            }
        return root;
    }

    [Fact]
    public void Folder_dataset_trains_with_augmentation_and_the_model_evaluates_and_predicts()
    {
        string root = WritePictures();
        string model = Path.Combine(_dir, "pictures.safetensors");
        var (code, stdout, stderr) = CliProcess.Run("train", "--dataset", "folder", "--data", root, "--image-size", "28",
            "--augment", "shift:1,flip,erase:0.25", "--epochs", "1", "--batch-size", "8", "--json", "--out", model, "--seed", "3");
        Assert.True(code == 0, stderr);
        using (var epoch = JsonDocument.Parse(stdout.Trim())) Assert.Equal(1, epoch.RootElement.GetProperty("epoch").GetInt32());

        var (_, meta) = Hubel.Serialization.SafeTensors.Load(model);
        Assert.Equal("3,28,28", meta["input_shape"]);
        Assert.Equal("cold,hot", meta["classes"]);
        Assert.Equal(3, meta["normalize_channel_mean"].Split(',').Length);
        var (_, info) = Hubel.Serialization.ModelFile.Load(model);
        Assert.InRange(info.InputNormalization.Mean[0], 0.3f, 0.7f);   // red: half the pictures near 0.85, half near 0.25

        (code, stdout, stderr) = CliProcess.Run("eval", "--model", model, "--dataset", "folder", "--data", root, "--json",
            "--out", Path.Combine(_dir, "confusion.png"));
        Assert.True(code == 0, stderr);
        using (var eval = JsonDocument.Parse(stdout)) Assert.Equal(8, eval.RootElement.GetProperty("images").GetInt32());   // 20% of each class

        (code, stdout, stderr) = CliProcess.Run("predict", "--model", model, "--json", Path.Combine(root, "hot", "00.png"));
        Assert.True(code == 0, stderr);
        using var predict = JsonDocument.Parse(stdout);
        var top = predict.RootElement.GetProperty("predictions")[0].GetProperty("top");
        Assert.Equal(2, top.GetArrayLength());
        Assert.Contains(top[0].GetProperty("class").GetString(), new[] { "cold", "hot" });
    }

    [Theory]
    [InlineData("rotate:5", "unknown augmentation 'rotate'")]
    [InlineData("shift:0", "1..64")]
    public void Bad_augment_lists_are_usage_errors(string spec, string mentioned)
    {
        var (code, stdout, stderr) = CliProcess.Run("train", "--augment", spec);
        Assert.Equal(2, code);
        Assert.Contains(mentioned, stderr);
        Assert.Equal("", stdout);
    }

    [Fact]
    public void Data_options_that_do_not_fit_are_usage_errors()
    {
        var (code, _, stderr) = CliProcess.Run("train", "--dataset", "folder");
        Assert.Equal(2, code);
        Assert.Contains("needs --data", stderr);
        (code, _, stderr) = CliProcess.Run("train", "--image-size", "32");
        Assert.Equal(2, code);
        Assert.Contains("--dataset folder only", stderr);
        (code, _, stderr) = CliProcess.Run("train", "--dataset", "folder", "--data", _dir, "--channels", "2");
        Assert.Equal(2, code);
        Assert.Contains("--channels must be 1 or 3", stderr);
    }

    [Fact]
    public void Cifar10_files_load_and_lenet5_gets_them_resized_to_its_fixed_28x28()
    {
        // Two records per batch file is enough to exercise the reader end to end.
        var record = new byte[3073];
        foreach (var name in new[] { "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin" })
            File.WriteAllBytes(Path.Combine(_dir, name), [.. record, .. record]);
        var (code, stdout, stderr) = CliProcess.Run("train", "--dataset", "cifar10", "--data", _dir, "--epochs", "1",
            "--out", Path.Combine(_dir, "cifar.safetensors"));
        Assert.True(code == 0, stderr);
        Assert.Contains("lenet5 does not take 32x32 images: resizing them to 28x28 (bilinear)", stdout);
        Assert.Contains("10 train / 2 test images", stdout);
        File.Delete(Path.Combine(_dir, "test_batch.bin"));
        (code, _, stderr) = CliProcess.Run("train", "--dataset", "cifar10", "--data", _dir, "--epochs", "1");
        Assert.Equal(1, code);
        Assert.Contains("test_batch.bin", stderr);
    }

    [Fact]
    public void Expand_trains_on_five_times_the_images()
    {
        string root = WritePictures();
        var (code, stdout, stderr) = CliProcess.Run("train", "--dataset", "folder", "--data", root, "--image-size", "28", "--channels", "1",
            "--expand", "--epochs", "1", "--out", Path.Combine(_dir, "x.safetensors"));
        Assert.True(code == 0, stderr);
        Assert.Contains("160 train / 8 test images", stdout);   // 32 training pictures, each plus four shifts
    }

    [Fact]
    public void A_resumed_augmented_folder_run_equals_an_uninterrupted_one()
    {
        string root = WritePictures();
        string[] common = ["--dataset", "folder", "--data", root, "--image-size", "28", "--augment", "shift:2,flip,erase:0.5", "--expand",
            "--batch-size", "16", "--json", "--seed", "5"];
        string P(string name) => Path.Combine(_dir, name);
        Assert.Equal(0, CliProcess.Run(["train", "--epochs", "2", "--out", P("a.safetensors"), .. common]).ExitCode);
        Assert.Equal(0, CliProcess.Run(["train", "--epochs", "1", "--out", P("b.safetensors"), .. common]).ExitCode);
        // Only the checkpoint tells the resumed run about the folder, the size, the augmentation and the expansion.
        var (code, _, stderr) = CliProcess.Run("train", "--epochs", "2", "--json", "--resume", P("b-checkpoint.safetensors"), "--out", P("c.safetensors"));
        Assert.True(code == 0, stderr);
        var a = Hubel.Serialization.SafeTensors.Load(P("a.safetensors")).Tensors;
        var c = Hubel.Serialization.SafeTensors.Load(P("c.safetensors")).Tensors;
        foreach (var name in a.Keys) Assert.Equal(a[name].ToFloatArray(), c[name].ToFloatArray());   // bit for bit
    }
}
