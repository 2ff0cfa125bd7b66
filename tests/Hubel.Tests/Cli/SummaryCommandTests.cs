using System.Text.Json;

namespace Hubel.Tests.Cli;

public class SummaryCommandTests
{
    [Fact]
    public void Json_summary_of_lenet5_reports_61706_parameters()
    {
        var (code, stdout, stderr) = CliProcess.Run("summary", "--model", "lenet5", "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(61706, doc.RootElement.GetProperty("total_params").GetInt64());
        var layers = doc.RootElement.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal("conv1", layers[0].GetProperty("name").GetString());
        foreach (var key in new[] { "name", "type", "output_shape", "params", "macs", "receptive_field", "stride" })
            Assert.True(layers[0].TryGetProperty(key, out _), key);
    }

    [Fact]
    public void Unknown_model_and_bad_shape_are_usage_errors()
    {
        Assert.Equal(2, CliProcess.Run("summary", "--model", "resnet9000").ExitCode);
        var (code, _, stderr) = CliProcess.Run("summary", "--model", "lenet5", "--input-shape", "1,28");
        Assert.Equal(2, code);
        Assert.Contains("--input-shape", stderr);
    }
}
