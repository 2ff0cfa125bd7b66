using Hubel.Imaging;

namespace Hubel.Tests.Cli;

/// <summary>`hubel plot LOG`: training curves from a `train --json` log.</summary>
public sealed class PlotCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hubel-plot-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);
    private string P(string name) => Path.Combine(_dir, name);

    [Fact]
    public void A_distributed_log_becomes_a_loss_and_an_accuracy_chart_side_by_side()
    {
        File.WriteAllLines(P("run.jsonl"),
        [
            "{\"epoch\":1,\"world_size\":2,\"train_loss\":0.66,\"test_accuracy\":0.83,\"learning_rate\":0.1}",
            "progress text that is not JSON is skipped",
            "{\"epoch\":2,\"world_size\":2,\"train_loss\":0.37,\"test_accuracy\":0.69,\"learning_rate\":0.09}",
            "{\"epoch\":3,\"world_size\":2,\"train_loss\":0.31,\"test_accuracy\":0.89,\"learning_rate\":0.05}",
            "{\"model\":\"summary lines without an epoch are skipped\"}",
        ]);
        var (code, stdout, stderr) = CliProcess.Run("plot", P("run.jsonl"), "--title", "ResNet-20");
        Assert.True(code == 0, stderr);
        Assert.Contains("3 epochs drawn", stdout);
        var png = ImageFile.Load(P("run-curves.png"));
        Assert.Equal(3, png.Size(0));
        Assert.Equal(320, png.Size(1));
        Assert.InRange(png.Size(2), 2 * 480, 2 * 480 + 32);   // two 480-wide charts side by side
    }

    [Fact]
    public void An_ensemble_log_draws_the_chosen_member_and_a_log_without_epochs_is_an_error()
    {
        File.WriteAllLines(P("ens.jsonl"),
        [
            "{\"member\":0,\"epoch\":1,\"train_loss\":0.9,\"val_loss\":0.8,\"val_accuracy\":0.7,\"test_accuracy\":0.7}",
            "{\"member\":1,\"epoch\":1,\"train_loss\":0.8,\"val_loss\":0.7,\"val_accuracy\":0.75,\"test_accuracy\":0.72}",
            "{\"member\":1,\"epoch\":2,\"train_loss\":0.6,\"val_loss\":0.6,\"val_accuracy\":0.8,\"test_accuracy\":0.79}",
        ]);
        var (code, stdout, stderr) = CliProcess.Run("plot", P("ens.jsonl"), "--member", "1", "--out", P("m1.png"));
        Assert.True(code == 0, stderr);
        Assert.Contains("2 epochs drawn", stdout);
        Assert.True(File.Exists(P("m1.png")));

        (code, _, stderr) = CliProcess.Run("plot", P("ens.jsonl"), "--member", "4");
        Assert.Equal(1, code);
        Assert.Contains("no epoch lines for member 4", stderr);

        File.WriteAllText(P("broken.jsonl"), "{\"epoch\":1,\"train_loss\":0.5}\n{\"epoch\":2,");
        (code, _, stderr) = CliProcess.Run("plot", P("broken.jsonl"));
        Assert.Equal(1, code);
        Assert.Contains("line 2", stderr);

        (code, _, stderr) = CliProcess.Run("plot", P("missing.jsonl"));
        Assert.Equal(1, code);
        Assert.Contains("missing.jsonl", stderr);
        Assert.False(File.Exists(P("missing-curves.png")));
    }
}
