using System.Text.Json;
using Hubel.Serialization;
using Hubel.Tests.Data;
using Hubel.Tests.Training;

namespace Hubel.Tests.Cli;

/// <summary>`hubel train`'s optimiser, schedule, validation, early-stopping and ensemble flags, on a tiny
/// Fashion-MNIST folder (512 training and 200 test images from the shipped set) so each run takes a second or two.</summary>
public class TrainFeaturesCommandTests : IDisposable
{
    private readonly TempDir _data = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("hubel-train-features-").FullName;

    public TrainFeaturesCommandTests()
    {
        void Write(string images, string labels, Hubel.Data.ImageSet set)
        {
            _data.Write(images, TempDir.Idx([(uint)set.Count, 28, 28], set.Pixels));
            _data.Write(labels, TempDir.Idx([(uint)set.Count], set.Labels));
        }
        Write("train-images-idx3-ubyte", "train-labels-idx1-ubyte", TinyData.Train(512));
        Write("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", TinyData.Test(200));
    }

    public void Dispose()
    {
        _data.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string P(string name) => Path.Combine(_dir, name);

    private (int Code, string Stdout, string Stderr) Train(params string[] args) =>
        CliProcess.Run(["train", "--data", _data.Path, "--batch-size", "32", "--json", .. args]);

    [Theory]
    [InlineData("--optimizer", "adam", "--lr", "0.002", "--schedule", "step", "--step-size", "1", "--gamma", "0.5", "--val-split", "0.2")]
    [InlineData("--optimizer", "rmsprop", "--lr", "0.001", "--schedule", "multistep", "--milestones", "1", "--warmup-epochs", "1", "--clip-grad-norm", "1", "--label-smoothing", "0.1")]
    public void A_resumed_run_equals_an_uninterrupted_one_with_optimizer_state_and_schedule(params string[] options)
    {
        Assert.Equal(0, Train([.. options, "--epochs", "2", "--seed", "2", "--out", P("a.safetensors")]).Code);
        Assert.Equal(0, Train([.. options, "--epochs", "1", "--seed", "2", "--out", P("b.safetensors")]).Code);
        var (code, stdout, stderr) = Train("--epochs", "2", "--resume", P("b-checkpoint.safetensors"), "--out", P("c.safetensors"));
        Assert.True(code == 0, stderr);
        Assert.Single(stdout.Trim().Split('\n'));
        var a = SafeTensors.Load(P("a.safetensors")).Tensors;
        var c = SafeTensors.Load(P("c.safetensors")).Tensors;
        Assert.Equal(a.Keys.Order(), c.Keys.Order());
        foreach (var name in a.Keys) Assert.Equal(a[name].ToFloatArray(), c[name].ToFloatArray());   // bit for bit
    }

    [Fact]
    public void Validation_split_reports_per_epoch_and_keeps_the_best_model()
    {
        var (code, stdout, stderr) = Train("--epochs", "3", "--val-split", "0.25", "--early-stopping", "2", "--optimizer", "adamw", "--lr", "0.003", "--plot", "--out", P("v.safetensors"));
        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.InRange(lines.Length, 1, 3);
        double best = 0;
        foreach (var line in lines)
        {
            using var doc = JsonDocument.Parse(line);
            var o = doc.RootElement;
            Assert.Equal(["epoch", "train_loss", "val_loss", "val_accuracy", "test_accuracy", "images_per_second", "seconds"], o.EnumerateObject().Select(p => p.Name));
            best = Math.Max(best, o.GetProperty("val_accuracy").GetDouble());
        }
        var (_, info) = ModelFile.Load(P("v-best.safetensors"));
        Assert.Equal(best, double.Parse(info.Extra["val_accuracy"], System.Globalization.CultureInfo.InvariantCulture), 4);
        Assert.True(File.Exists(P("v.safetensors")));
        Assert.True(File.Exists(P("v-checkpoint.safetensors")));
        Assert.True(File.Exists(P("v-curves.png")));            // train, validation and test curves
    }

    [Fact]
    public void Ensemble_trains_k_members_and_reports_both_ensemble_accuracies()
    {
        var (code, stdout, stderr) = Train("--epochs", "1", "--ensemble", "2", "--optimizer", "adam", "--lr", "0.003", "--out", P("e.safetensors"));
        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        for (int m = 0; m < 2; m++)
            Assert.Equal(m, JsonDocument.Parse(lines[m]).RootElement.GetProperty("member").GetInt32());
        var summary = JsonDocument.Parse(lines[2]).RootElement;
        Assert.Equal(2, summary.GetProperty("member_test_accuracy").GetArrayLength());
        Assert.InRange(summary.GetProperty("ensemble_mean_probability_accuracy").GetDouble(), 0, 1);
        Assert.InRange(summary.GetProperty("ensemble_vote_accuracy").GetDouble(), 0, 1);
        Assert.Equal("1", ModelFile.Load(P("e-member1.safetensors")).Info.Extra["seed"]);
        Assert.True(File.Exists(P("e-member0.safetensors")));
    }

    [Theory]
    [InlineData("--early-stopping 2", "--val-split")]
    [InlineData("--schedule multistep", "--milestones")]
    [InlineData("--schedule multistep --milestones 3,2", "--milestones")]
    [InlineData("--milestones x", "--milestones")]
    [InlineData("--optimizer adam --nesterov", "--nesterov")]
    [InlineData("--optimizer lbfgs", "lbfgs")]
    [InlineData("--label-smoothing 1", "--label-smoothing")]
    [InlineData("--val-split -0.1", "--val-split")]
    [InlineData("--clip-grad-norm -1", "--clip-grad-norm")]
    [InlineData("--ensemble 0", "--ensemble")]
    [InlineData("--val-split 0.1 --early-stopping-metric val-f1", "val-f1")]
    public void Bad_combinations_are_usage_errors(string options, string mentioned)
    {
        var (code, stdout, stderr) = CliProcess.Run(["train", .. options.Split(' ')]);
        Assert.Equal(2, code);
        Assert.Contains(mentioned, stderr);
        Assert.Equal("", stdout);
    }

    [Fact]
    public void A_cosine_run_resumes_only_to_its_own_length()
    {
        Assert.Equal(0, Train("--epochs", "1", "--schedule", "cosine", "--out", P("k.safetensors")).Code);
        var (code, _, stderr) = Train("--epochs", "2", "--resume", P("k-checkpoint.safetensors"), "--out", P("l.safetensors"));
        Assert.Equal(2, code);
        Assert.Contains("--epochs 1", stderr);
    }

    [Fact]
    public void Help_lists_the_training_options()
    {
        var (code, stdout, _) = CliProcess.Run("train", "--help");
        Assert.Equal(0, code);
        foreach (var o in new[] { "--optimizer", "--nesterov", "--schedule", "--step-size", "--gamma", "--milestones", "--warmup-epochs",
                     "--clip-grad-norm", "--label-smoothing", "--val-split", "--early-stopping", "--early-stopping-metric", "--ensemble", "--ensemble 5" })
            Assert.Contains(o, stdout);
    }
}
