using Hubel.Serialization;

namespace Hubel.Tests.Cli;

public class ResumeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hubel-resume-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    [Fact]
    public void Training_is_deterministic_and_a_resumed_run_equals_an_uninterrupted_one()
    {
        Assert.Equal(0, CliProcess.Run("train", "--epochs", "2", "--json", "--seed", "3", "--out", P("a.safetensors")).ExitCode);
        Assert.Equal(0, CliProcess.Run("train", "--epochs", "1", "--json", "--seed", "3", "--out", P("b.safetensors")).ExitCode);
        var (code, stdout, stderr) = CliProcess.Run("train", "--epochs", "2", "--json", "--resume", P("b-checkpoint.safetensors"), "--out", P("c.safetensors"));
        Assert.True(code == 0, stderr);
        Assert.Single(stdout.Trim().Split('\n'));                           // only epoch 2 ran
        Assert.Contains("\"epoch\":2", stdout);
        var a = SafeTensors.Load(P("a.safetensors")).Tensors;
        var c = SafeTensors.Load(P("c.safetensors")).Tensors;
        Assert.Equal(a.Keys.Order(), c.Keys.Order());
        foreach (var name in a.Keys) Assert.Equal(a[name].ToFloatArray(), c[name].ToFloatArray());   // bit for bit
    }

    [Fact]
    public void Resuming_past_the_requested_epochs_or_from_a_bad_file_fails_clearly()
    {
        Assert.Equal(0, CliProcess.Run("train", "--epochs", "1", "--json", "--out", P("m.safetensors")).ExitCode);
        var (code, _, stderr) = CliProcess.Run("train", "--epochs", "1", "--resume", P("m-checkpoint.safetensors"), "--out", P("n.safetensors"));
        Assert.Equal(2, code);
        Assert.Contains("--epochs", stderr);
        (code, _, stderr) = CliProcess.Run("train", "--epochs", "3", "--resume", P("m.safetensors"), "--out", P("n.safetensors"));
        Assert.Equal(1, code);                                              // a model file is not a checkpoint
        Assert.Contains("checkpoint", stderr);
    }
}
