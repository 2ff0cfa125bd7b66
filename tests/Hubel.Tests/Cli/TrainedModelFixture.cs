namespace Hubel.Tests.Cli;

/// <summary>One LeNet-5 trained for one epoch on the shipped data by the real CLI, shared by the tests that
/// evaluate and predict with a saved model.</summary>
public sealed class TrainedModelFixture : IDisposable
{
    public TrainedModelFixture()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("hubel-model-").FullName;
        ModelPath = Path.Combine(Directory, "lenet.safetensors");
        var (code, _, stderr) = CliProcess.Run("train", "--epochs", "1", "--json", "--out", ModelPath);
        if (code != 0) throw new InvalidOperationException($"training the fixture model failed: {stderr}");
    }

    public string Directory { get; }
    public string ModelPath { get; }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
