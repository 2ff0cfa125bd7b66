using System.Text.Json.Nodes;
using Hubel.Cuda;
using Hubel.Tests.Cli;

namespace Hubel.Tests.Cuda;

/// <summary>The probe never throws and always explains itself. On a machine without CUDA (CI) the GPU is
/// reported unavailable with the missing library named; where a GPU is present `hubel device --check` must
/// agree with the CPU.</summary>
public class CudaProbeTests
{
    [Fact]
    public void ProbeExplainsWhyTheGpuIsUnavailableOrListsDevices()
    {
        var report = CudaProbe.Run();
        if (report.Available)
        {
            Assert.NotEmpty(report.Devices);
            Assert.Null(report.Reason);
            Assert.True(report.RuntimeVersion >= 12000, $"runtime version {report.RuntimeVersion}");
        }
        else
        {
            Assert.Empty(report.Devices);
            Assert.False(string.IsNullOrWhiteSpace(report.Reason));
            Assert.True(report.Reason!.Contains("not found") || report.Reason.Contains("GPU"), report.Reason);
        }
    }

    [Fact]
    public void OpenFailsWithTheReasonWhenNoGpuIsUsable()
    {
        var report = CudaProbe.Run();
        if (report.Available)
        {
            using var context = CudaContext.Open();
            Assert.Equal(0, context.Ordinal);
            var e = Assert.Throws<CudaUnavailableException>(() => CudaContext.Open(report.Devices.Count));
            Assert.Contains($"cuda:{report.Devices.Count} does not exist", e.Message);
        }
        else
        {
            var e = Assert.Throws<CudaUnavailableException>(() => CudaContext.Open());
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
        }
        Assert.Equal("ordinal", Assert.Throws<ArgumentOutOfRangeException>(() => CudaContext.Open(-1)).ParamName);
    }

    [Fact]
    public void DeviceCommandReportsAsJsonAndCheckFailsClearlyWithoutAGpu()
    {
        var (code, stdout, stderr) = CliProcess.Run("device", "--json");
        Assert.True(code == 0, stderr);
        var json = JsonNode.Parse(stdout)!.AsObject();
        Assert.Equal(Environment.ProcessorCount, json["cpu_cores"]!.GetValue<int>());
        bool available = json["cuda_available"]!.GetValue<bool>();
        Assert.Equal(CudaProbe.Run().Available, available);

        var check = CliProcess.Run("device", "--check", "--json");
        if (available)
        {
            Assert.True(check.ExitCode == 0, check.Stderr);
            Assert.True(JsonNode.Parse(check.Stdout)!["gemm_max_abs_error"]!.GetValue<double>() < 1e-3);
        }
        else
        {
            Assert.Equal(1, check.ExitCode);
            Assert.Contains("--check needs a GPU", check.Stderr);
        }
    }
}
