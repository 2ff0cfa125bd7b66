using Hubel.Tests.Cli;

namespace Hubel.Tests.Distributed;

/// <summary>`hubel train --distributed` honours the single-process training options: under `mpirun -np 2` with Adam,
/// a warm-up and cosine schedule, gradient clipping, label smoothing and on-the-fly augmentation, 2 ranks end where
/// 1 process with the same global batch ends; options that cannot work distributed are refused.</summary>
public sealed class DistributedFlagsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hubel-mpi-flags-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    [Fact]
    public void Adam_cosine_clipping_smoothing_and_augmentation_give_the_same_weights_on_two_ranks_as_on_one()
    {
        string[] common = ["train", "--distributed", "--train-subset", "128", "--batch-size", "32", "--epochs", "3", "--threads", "1", "--seed", "6",
            "--optimizer", "adam", "--lr", "0.002", "--schedule", "cosine", "--warmup-epochs", "1", "--clip-grad-norm", "0.5",
            "--label-smoothing", "0.1", "--augment", "shift:2,flip", "--json"];
        var (code, one, stderr) = CliProcess.Run([.. common, "--out", P("one.safetensors")]);
        Assert.True(code == 0, stderr);
        (code, var two, stderr) = MpiRun.Run(2, [.. common, "--bucket-kb", "16", "--out", P("two.safetensors")]);
        Assert.True(code == 0, $"mpirun -np 2 failed ({code}): {stderr}");

        var rates = two.Trim().Split('\n').Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("learning_rate").GetDouble()).ToArray();
        Assert.Equal(3, rates.Length);
        Assert.True(rates[0] < rates[1] && rates[2] < rates[1], $"warm-up then cosine decay: {string.Join(", ", rates)}");
        Assert.Equal(one.Trim().Split('\n').Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("learning_rate").GetDouble()), rates);

        var (worst, where) = MpiRun.WorstRelativeDifference(P("one.safetensors"), P("two.safetensors"));
        TestContext.Current.TestOutputHelper?.WriteLine($"1 rank vs 2 ranks: largest relative weight difference {worst:G3} at {where}");
        Assert.True(worst < 1e-4, $"largest relative weight difference {worst:G3} at {where}");

        // The augmentation really ran: without it the same run ends elsewhere.
        (code, _, stderr) = CliProcess.Run([.. common.Where(a => a is not ("--augment" or "shift:2,flip")), "--out", P("plain.safetensors")]);
        Assert.True(code == 0, stderr);
        Assert.True(MpiRun.WorstRelativeDifference(P("one.safetensors"), P("plain.safetensors")).Worst > 1e-2);
    }

    [Theory]
    [InlineData("--ensemble", "2", "--distributed", "cannot be combined with --distributed")]
    [InlineData("--sync-bn", null, null, "--sync-bn applies to data-parallel training only")]
    [InlineData("--train-subset", "100", null, "--train-subset applies to data-parallel training only")]
    public void Options_that_do_not_fit_are_usage_errors(string option, string? value, string? more, string message)
    {
        string[] args = ["train", "--epochs", "1", option, .. value is null ? Array.Empty<string>() : [value], .. more is null ? Array.Empty<string>() : [more]];
        var (code, stdout, stderr) = CliProcess.Run(args);
        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
        Assert.Equal("", stdout);
    }

    [Fact]
    public void Sync_bn_on_a_model_without_batch_norm_is_a_usage_error()
    {
        var (code, _, stderr) = CliProcess.Run("train", "--distributed", "--sync-bn", "--epochs", "1", "--train-subset", "64", "--out", P("x.safetensors"));
        Assert.Equal(2, code);
        Assert.Contains("no batch norm layers", stderr);
    }
}
