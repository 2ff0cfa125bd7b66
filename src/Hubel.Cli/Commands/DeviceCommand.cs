using System.CommandLine;
using System.Diagnostics;
using Hubel.Cuda;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Cli.Commands;

/// <summary>`hubel device`: which compute devices this machine offers, and (--check) whether the GPU path gives
/// the CPU's answers. Exit code 1 when --check is asked for and no GPU can be used, with the reason.</summary>
internal static class DeviceCommand
{
    public static Command Create()
    {
        var check = new Option<bool>("--check") { Description = "Run a 1024x1024 SGEMM on cuda:0 through cuBLAS and compare it with the CPU backend." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object with the probe (and check) results." };
        var command = new Command("device", """
            List the compute devices: the CPU, and NVIDIA GPUs with the CUDA libraries Hubel found (driver,
            runtime, cuBLAS, cuDNN, NVRTC; CUDA 12/13 and cuDNN 8/9 are recognised; HUBEL_CUDA_LIB_DIR adds a folder).

            Examples:
              hubel device
              hubel device --check --json
            """) { check, json };
        command.SetAction(r => Run(r.GetValue(check), r.GetValue(json)));
        return command;
    }

    private static int Run(bool check, bool json)
    {
        var report = CudaProbe.Run();
        GemmCheck? gemm = check && report.Available ? CheckGemm() : null;
        if (json)
        {
            Console.WriteLine(JsonOut.Object(w =>
            {
                w.WriteNumber("cpu_cores", Environment.ProcessorCount);
                w.WriteBoolean("cuda_available", report.Available);
                if (report.Reason is not null) w.WriteString("cuda_reason", report.Reason);
                w.WriteStartObject("libraries");
                foreach (var (component, file) in report.Libraries) w.WriteString(component, file);
                w.WriteEndObject();
                w.WriteNumber("cuda_runtime_version", report.RuntimeVersion);
                w.WriteNumber("cuda_driver_version", report.DriverVersion);
                w.WriteNumber("cudnn_version", report.CudnnVersion);
                w.WriteStartArray("gpus");
                foreach (var d in report.Devices)
                {
                    w.WriteStartObject();
                    w.WriteString("device", $"cuda:{d.Ordinal}");
                    w.WriteString("name", d.Name);
                    w.WriteString("compute_capability", $"{d.ComputeMajor}.{d.ComputeMinor}");
                    w.WriteNumber("multiprocessors", d.Multiprocessors);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                if (gemm is { } g)
                {
                    w.WriteNumber("gemm_max_abs_error", g.MaxAbsError);
                    w.WriteNumber("gemm_gflops", g.Gflops);
                }
            }));
        }
        else
        {
            Console.WriteLine($"cpu: {Environment.ProcessorCount} cores");
            foreach (var (component, file) in report.Libraries) Console.WriteLine($"{component}: {file}");
            foreach (var d in report.Devices)
                Console.WriteLine($"cuda:{d.Ordinal}: {d.Name}, compute capability {d.ComputeMajor}.{d.ComputeMinor}, {d.Multiprocessors} SMs");
            if (!report.Available) Console.WriteLine($"GPU backend unavailable: {report.Reason}");
            if (gemm is { } g) Console.WriteLine($"cuBLAS SGEMM 1024: max |GPU - CPU| = {g.MaxAbsError:G3}, {g.Gflops:F0} GFLOP/s");
        }
        if (check && !report.Available)
        {
            Console.Error.WriteLine($"hubel: --check needs a GPU: {report.Reason}");
            return CliRunner.RuntimeError;
        }
        return gemm is { MaxAbsError: > 1e-3 } ? CliRunner.RuntimeError : CliRunner.Ok;
    }

    private readonly record struct GemmCheck(double MaxAbsError, double Gflops);

    private static GemmCheck CheckGemm()
    {
        const int n = 1024;
        var rng = new Rng(1);
        var a = Tensor.Normal([n, n], 0, 1, rng);
        var b = Tensor.Normal([n, n], 0, 1, rng);
        var expected = F.MatMul(a, b).ToFloatArray();
        using var gpu = CudaContext.Open();
        using var da = gpu.Upload(a.ToFloatArray());
        using var db = gpu.Upload(b.ToFloatArray());
        using var dc = gpu.Allocate((long)n * n);
        gpu.Gemm(da, db, dc, n, n, n);
        gpu.Synchronize();
        const int repeats = 20;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < repeats; i++) gpu.Gemm(da, db, dc, n, n, n);
        gpu.Synchronize();
        double gflops = 2.0 * n * n * n * repeats / clock.Elapsed.TotalSeconds / 1e9;
        var actual = new float[n * n];
        dc.CopyTo(actual);
        double max = 0;
        for (int i = 0; i < actual.Length; i++) max = Math.Max(max, Math.Abs(actual[i] - expected[i]));
        return new GemmCheck(max, gflops);
    }
}
