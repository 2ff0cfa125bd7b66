using System.Text.Json;

namespace Hubel.Tests.Cli;

public class TrainCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hubel-cli-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Json_mode_prints_one_object_per_epoch_and_nothing_else_and_saves_the_model()
    {
        var model = Path.Combine(_dir, "lenet.safetensors");
        var (code, stdout, stderr) = CliProcess.Run("train", "--epochs", "2", "--json", "--plot", "--out", model, "--seed", "1");
        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            using var doc = JsonDocument.Parse(lines[i]);
            var o = doc.RootElement;
            Assert.Equal(["epoch", "train_loss", "test_accuracy", "images_per_second", "seconds"], o.EnumerateObject().Select(p => p.Name));
            Assert.Equal(i + 1, o.GetProperty("epoch").GetInt32());
            Assert.True(o.GetProperty("images_per_second").GetDouble() > 0);
            Assert.InRange(o.GetProperty("test_accuracy").GetDouble(), 0.55, 1.0);
        }
        Assert.True(File.Exists(model));
        var (tensors, meta) = Hubel.Serialization.SafeTensors.Load(model);
        Assert.Equal(10, tensors.Count);
        Assert.Equal("lenet5", meta["model"]);
        // The confusion matrix is always drawn; --plot adds the curves; --json keeps stdout to the epoch lines.
        Assert.True(Hubel.Imaging.ImageFile.Load(Path.Combine(_dir, "lenet-confusion.png")).Size(2) > 300);
        Assert.True(Hubel.Imaging.ImageFile.Load(Path.Combine(_dir, "lenet-curves.png")).Size(2) > 600);
    }

    [Theory]
    [InlineData("--epochs", "0", "--epochs")]
    [InlineData("--batch-size", "-3", "--batch-size")]
    [InlineData("--lr", "0", "--lr")]
    [InlineData("--dataset", "cifar", "cifar")]
    [InlineData("--model", "vgg99", "vgg99")]
    [InlineData("--threads", "0", "--threads")]
    public void Bad_options_are_usage_errors_with_exit_code_2(string option, string value, string mentioned)
    {
        var (code, stdout, stderr) = CliProcess.Run("train", option, value);
        Assert.Equal(2, code);
        Assert.Contains(mentioned, stderr);
        Assert.Equal("", stdout);
    }

    [Fact]
    public void Missing_full_dataset_is_a_runtime_error_that_says_how_to_install_it()
    {
        var (code, _, stderr) = CliProcess.Run("train", "--dataset", "fashion-mnist", "--data", Path.Combine(_dir, "nowhere"));
        Assert.Equal(1, code);
        Assert.Contains("dataset-fashion-mnist", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public void Help_lists_the_options_with_examples()
    {
        var (code, stdout, _) = CliProcess.Run("train", "--help");
        Assert.Equal(0, code);
        foreach (var o in new[] { "--model", "--dataset", "--data", "--epochs", "--batch-size", "--lr", "--momentum", "--weight-decay", "--seed", "--threads", "--out", "--json", "Examples" })
            Assert.Contains(o, stdout);
    }
}
