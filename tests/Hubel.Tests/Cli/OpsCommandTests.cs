using System.Text.Json;
using Hubel.Ops.Registry;

namespace Hubel.Tests.Cli;

public class OpsCommandTests
{
    [Fact]
    public void Json_lists_every_registry_op_with_its_counts()
    {
        var (code, stdout, stderr) = CliProcess.Run("ops", "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var ops = doc.RootElement.GetProperty("ops").EnumerateArray().ToList();
        Assert.Equal(OpRegistry.All.Count, ops.Count);
        var conv = ops.Single(o => o.GetProperty("name").GetString() == "conv2d");
        Assert.True(conv.GetProperty("has_backward").GetBoolean());
        Assert.Equal(OpRegistry.All.Single(o => o.Name == "conv2d").Samples.Count, conv.GetProperty("samples").GetInt32());
        Assert.True(conv.GetProperty("error_cases").GetInt32() >= 10);
        Assert.Equal("PyTorch", conv.GetProperty("reference").GetString());
    }

    [Fact]
    public void Plain_output_ends_with_the_totals()
    {
        var (code, stdout, _) = CliProcess.Run("ops");
        Assert.Equal(0, code);
        Assert.Contains($"{OpRegistry.All.Count} ops, {OpRegistry.AllSamples.Count()} samples", stdout);
    }
}
