using Hubel.Imaging;

namespace Hubel.Tests.Cli;

public class VisualizeCommandTests(TrainedModelFixture fixture) : IClassFixture<TrainedModelFixture>
{
    [Fact]
    public void Draws_every_layer_the_filters_and_the_walkthrough()
    {
        var photo = Path.Combine(fixture.Directory, "v.png");
        ImageFile.SavePng(photo, Hubel.Tests.Imaging.ImagingTests.TestPicture());
        var outDir = Path.Combine(fixture.Directory, "vis");
        var (code, stdout, stderr) = CliProcess.Run("visualize", "--model", fixture.ModelPath, photo, "--out", outDir, "--channel", "3");
        Assert.True(code == 0, stderr);
        foreach (var f in new[] { "01-conv1.png", "02-relu.png", "03-pool.png", "04-conv2.png", "filters.png", "walkthrough.png" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);
        Assert.Contains("walkthrough.png", stdout);
        var (bad, _, err) = CliProcess.Run("visualize", "--model", fixture.ModelPath, photo, "--out", outDir, "--channel", "6");
        Assert.Equal(2, bad);
        Assert.Contains("--channel", err);
    }
}
