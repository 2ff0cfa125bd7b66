using System.Text.Json;

namespace Hubel.Tests.Cli;

/// <summary>`hubel bench` in --quick mode with --peer none: every workload runs end to end in seconds and prints one JSON
/// object per line with the agreed fields. No timing assertions: the figures only have to be finite and positive.</summary>
public class BenchCommandTests
{
    [Theory]
    [InlineData("gemm", "n=64")]
    [InlineData("conv", "j_maxpool2x2 fwd+bwd")]
    [InlineData("lenet-train", "train batch 64")]
    [InlineData("nielsen-train", "train batch 10")]
    [InlineData("resnet20-train", "train step batch 4")]
    [InlineData("infer", "resnet20 batch 1 latency (median)")]
    public void Each_workload_prints_json_lines_with_the_agreed_fields(string workload, string expectedCase)
    {
        var (code, stdout, stderr) = CliProcess.Run("bench", workload, "--quick", "--peer", "none", "--json");
        Assert.True(code == 0, stderr);
        var rows = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.NotEmpty(rows);
        foreach (var row in rows)
        {
            Assert.Equal(["workload", "case", "hubel", "peer", "ratio", "unit"], row.EnumerateObject().Select(p => p.Name));
            Assert.Equal(workload, row.GetProperty("workload").GetString());
            double hubel = row.GetProperty("hubel").GetDouble();
            Assert.True(double.IsFinite(hubel) && hubel > 0, $"{row}");
            Assert.Equal(JsonValueKind.Null, row.GetProperty("peer").ValueKind);   // --peer none
            Assert.Equal(JsonValueKind.Null, row.GetProperty("ratio").ValueKind);
            Assert.False(string.IsNullOrEmpty(row.GetProperty("unit").GetString()));
        }
        Assert.Contains(rows, r => r.GetProperty("case").GetString() == expectedCase);
    }

    [Fact]
    public void Conv_covers_the_ten_peer_shapes()
    {
        var (code, stdout, stderr) = CliProcess.Run("bench", "conv", "--quick", "--peer", "none", "--json");
        Assert.True(code == 0, stderr);
        var cases = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("case").GetString()!).ToList();
        Assert.Equal(20, cases.Count);
        Assert.Equal("abcdefghij", string.Concat(cases.Where(c => c.EndsWith(" fwd", StringComparison.Ordinal)).Select(c => c[0])));
    }

    [Fact]
    public void Table_output_names_the_columns()
    {
        var (code, stdout, stderr) = CliProcess.Run("bench", "gemm", "--quick", "--peer", "none");
        Assert.True(code == 0, stderr);
        foreach (var column in new[] { "workload", "case", "Hubel", "ratio", "unit", "peak per core (FMA loop)" })
            Assert.Contains(column, stdout);
    }

    [Fact]
    public void Bad_workload_and_bad_peer_are_usage_errors_that_list_the_choices()
    {
        var (code, _, stderr) = CliProcess.Run("bench", "matmul");
        Assert.Equal(2, code);
        Assert.Contains("unknown workload 'matmul'", stderr);
        Assert.Contains("resnet20-train", stderr);
        Assert.Equal(2, CliProcess.Run("bench", "gemm", "--peer", "tensorflow").ExitCode);
        var quickWithPeer = CliProcess.Run("bench", "gemm", "--quick", "--peer", "pytorch");
        Assert.Equal(2, quickWithPeer.ExitCode);
        Assert.Contains("--peer none", quickWithPeer.Stderr);
    }

    [Fact]
    public void A_missing_peers_folder_is_reported_with_what_to_do()
    {
        var missing = Path.Combine(Path.GetTempPath(), "hubel-no-such-peers-" + Guid.NewGuid().ToString("N"));
        var (code, _, stderr) = CliProcess.Run("bench", "gemm", "--peer", "pytorch", "--peers-dir", missing);
        Assert.Equal(2, code);
        Assert.Contains("--peers-dir", stderr);
        Assert.Contains("--peer none", stderr);
    }
}
