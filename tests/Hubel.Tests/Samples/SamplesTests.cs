using System.Diagnostics;

namespace Hubel.Tests.Samples;

/// <summary>Runs each file-based sample in samples/ with `dotnet run`, as a user would, and checks what it prints.</summary>
public class SamplesTests
{
    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Hubel.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root (Hubel.slnx) not found above the test binaries");
    }

    private static (int Code, string Output) Run(params string[] args)
    {
        var root = RepositoryRoot();
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        var info = new ProcessStartInfo(host) { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("run");
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); Assert.Fail($"dotnet run {string.Join(' ', args)} timed out"); }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    [Fact]
    public void Every_sample_runs_and_prints_what_it_promises()
    {
        var (code, output) = Run("samples/train-lenet5.cs", "--", "1");
        Assert.True(code == 0, output);
        Assert.Contains("epoch 1: train loss", output);

        (code, output) = Run("samples/custom-cnn.cs");
        Assert.True(code == 0, output);
        Assert.Contains("features.0.weight", output);
        Assert.Contains("step 30: loss", output);

        var png = Path.Combine(Path.GetTempPath(), $"hubel-sobel-{Guid.NewGuid():N}.png");
        (code, output) = Run("samples/sobel-edges.cs", "--", "-", png);
        try
        {
            Assert.True(code == 0, output);
            Assert.Contains("max difference", output);
            Assert.True(File.Exists(png));
        }
        finally { File.Delete(png); }

        (code, output) = Run("samples/receptive-fields.cs");
        Assert.True(code == 0, output);
        Assert.Contains("RF  17", output);                 // 3x3 at dilations 1, 2, 5: 3 + 4 + 10
    }
}
