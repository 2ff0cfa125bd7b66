using System.Text.Json;
using Hubel.Imaging;

namespace Hubel.Tests.Cli;

public class EvalPredictCommandTests(TrainedModelFixture fixture) : IClassFixture<TrainedModelFixture>
{
    [Fact]
    public void Eval_reports_accuracy_per_class_metrics_and_writes_the_confusion_png()
    {
        var png = Path.Combine(fixture.Directory, "cm.png");
        var (code, stdout, stderr) = CliProcess.Run("eval", "--model", fixture.ModelPath, "--json", "--out", png);
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var o = doc.RootElement;
        Assert.Equal(2000, o.GetProperty("images").GetInt32());
        Assert.InRange(o.GetProperty("accuracy").GetDouble(), 0.5, 1.0);
        var classes = o.GetProperty("classes").EnumerateArray().ToList();
        Assert.Equal(10, classes.Count);
        Assert.Equal(2000, classes.Sum(c => c.GetProperty("support").GetInt32()));
        var confusion = o.GetProperty("confusion").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();
        int correct = Enumerable.Range(0, 10).Sum(i => confusion[i][i]);
        Assert.Equal(o.GetProperty("accuracy").GetDouble(), correct / 2000.0, 6);
        Assert.True(ImageFile.Load(png).Size(2) > 300);
    }

    [Fact]
    public void Eval_with_test_time_augmentation_reports_its_views_and_rejects_an_unknown_one()
    {
        var (code, stdout, stderr) = CliProcess.Run("eval", "--model", fixture.ModelPath, "--tta", "flip", "--json",
            "--out", Path.Combine(fixture.Directory, "cm-flip.png"));
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("flip", doc.RootElement.GetProperty("tta").GetString());
        Assert.Equal(2, doc.RootElement.GetProperty("views").GetInt32());
        Assert.Equal(2000, doc.RootElement.GetProperty("images").GetInt32());
        Assert.InRange(doc.RootElement.GetProperty("accuracy").GetDouble(), 0.5, 1.0);

        (code, _, stderr) = CliProcess.Run("eval", "--model", fixture.ModelPath, "--tta", "ten-crop:0");
        Assert.Equal(2, code);
        Assert.Contains("--tta", stderr);
        Assert.Contains("1..64", stderr);
    }

    [Fact]
    public void Predict_takes_any_size_and_colour_and_lists_top_k()
    {
        var photo = Path.Combine(fixture.Directory, "photo.png");
        ImageFile.SavePng(photo, Hubel.Tests.Imaging.ImagingTests.TestPicture());   // 32x24 colour, not from the data set
        var (code, stdout, stderr) = CliProcess.Run("predict", "--model", fixture.ModelPath, "--top", "4", "--json", photo, photo);
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var predictions = doc.RootElement.GetProperty("predictions").EnumerateArray().ToList();
        Assert.Equal(2, predictions.Count);
        var top = predictions[0].GetProperty("top").EnumerateArray().Select(t => t.GetProperty("probability").GetDouble()).ToList();
        Assert.Equal(4, top.Count);
        Assert.True(top.SequenceEqual(top.OrderByDescending(p => p)));
        Assert.All(top, p => Assert.InRange(p, 0, 1));
    }

    [Fact]
    public void Predict_with_a_corrupt_model_or_image_fails_with_one_line()
    {
        var bad = Path.Combine(fixture.Directory, "bad.safetensors");
        File.WriteAllText(bad, "not a model");
        var (code, _, stderr) = CliProcess.Run("predict", "--model", bad, "x.png");
        Assert.Equal(1, code);
        Assert.Contains("bad.safetensors", stderr);
        var notImage = Path.Combine(fixture.Directory, "notimage.png");
        File.WriteAllText(notImage, "text");
        (code, _, stderr) = CliProcess.Run("predict", "--model", fixture.ModelPath, notImage);
        Assert.Equal(1, code);
        Assert.Contains("notimage.png", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }
}
