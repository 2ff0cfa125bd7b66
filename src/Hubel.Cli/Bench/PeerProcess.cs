using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Hubel.Cli.Bench;

/// <summary>One line of a peer's output: an optional leading word (train_bench.py's infer mode prints
/// "lenet5 {...}") and its values.</summary>
internal sealed record PeerLine(string? Prefix, JsonObject Values)
{
    public double Number(string key) => Values[key]?.GetValue<double>() ?? throw new InvalidDataException($"the peer's output has no '{key}': {Values.ToJsonString()}");
}

/// <summary>Runs a peer's benchmark script in its own process, in the same run as Hubel's side: PyTorch through Debian's
/// Python (/usr/bin/python3, which has python3-torch), TorchSharp through its built TsBench.dll. Both set 2 threads.</summary>
internal sealed class PeerProcess(PeerKind kind, string peersDir)
{
    public const string Python = "/usr/bin/python3";
    private const string SetupHint = "run ../shared/peers/setup.sh (it installs python3-torch, OpenBLAS and Fashion-MNIST), or pass --peer none";

    public PeerKind Kind { get; } = kind;

    public static string TorchSharpDll(string peersDir) => Path.Combine(peersDir, "torchsharp", "bin", "Release", "net10.0", "TsBench.dll");

    /// <summary>Whether Debian's Python can import torch (the PyTorch peer is installed).</summary>
    public static bool PyTorchInstalled()
    {
        if (!File.Exists(Python)) return false;
        try
        {
            var (code, _, _) = Run(Python, ["-c", "import torch"], Directory.GetCurrentDirectory(), null);
            return code == 0;
        }
        catch (System.ComponentModel.Win32Exception) { return false; }
    }

    /// <summary>Fails with a message saying how to install the peer when it cannot run.</summary>
    public static void EnsureAvailable(PeerKind kind, string peersDir)
    {
        if (kind == PeerKind.None) return;
        if (!Directory.Exists(peersDir))
            throw new UsageException($"--peers-dir: '{peersDir}' does not exist; it should hold the peers' scripts (train_bench.py, conv_bench.py, gemm_bench.py), or pass --peer none");
        if (kind == PeerKind.PyTorch)
        {
            if (!File.Exists(Path.Combine(peersDir, "train_bench.py")))
                throw new UsageException($"--peers-dir: '{peersDir}' has no train_bench.py; point it at ../shared/peers");
            if (!PyTorchInstalled())
                throw new InvalidOperationException($"the PyTorch peer is not installed ({Python} cannot import torch): {SetupHint}");
        }
        else if (!File.Exists(TorchSharpDll(peersDir)))
            throw new InvalidOperationException($"the TorchSharp peer is not built ({TorchSharpDll(peersDir)} is missing): run {Path.Combine(peersDir, "torchsharp", "build.sh")} " +
                "(a 1.4 GB NuGet restore), or use --peer pytorch");
    }

    /// <summary>Runs a PyTorch script of the peers folder; returns its JSON lines (other lines, like "config: ...", are skipped).</summary>
    public IReadOnlyList<PeerLine> RunPython(string script, params string[] args)
    {
        var results = Path.Combine(Path.GetTempPath(), "hubel-bench-peer");
        Directory.CreateDirectory(results);
        var (code, stdout, stderr) = Run(Python, [script, .. args], peersDir, new() { ["PEER_RESULTS"] = results });
        if (code != 0) throw new InvalidOperationException($"the PyTorch peer failed ({script} {string.Join(' ', args)}, exit {code}): {LastLines(stderr)}");
        return ParseJsonLines(stdout);
    }

    /// <summary>Runs the TorchSharp peer; its "RESULT key=value ..." lines become objects (numbers where they parse).</summary>
    public IReadOnlyList<PeerLine> RunTorchSharp(params string[] args)
    {
        // Its modes measure every case in one go (all GEMM sizes, both conv shapes): run each mode once per bench run.
        string cacheKey = string.Join(' ', args);
        if (_torchSharpCache.TryGetValue(cacheKey, out var cached)) return cached;
        var dir = Path.Combine(peersDir, "torchsharp");
        var shim = Path.Combine(dir, "compat", "libglibcxx_shim.so");
        var env = new Dictionary<string, string>();
        if (File.Exists(shim)) env["LD_PRELOAD"] = shim;
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        var (code, stdout, stderr) = Run(host, [TorchSharpDll(peersDir), .. args], dir, env);
        if (code != 0) throw new InvalidOperationException($"the TorchSharp peer failed ({string.Join(' ', args)}, exit {code}): {LastLines(stderr + stdout)}");
        var lines = new List<PeerLine>();
        foreach (var line in stdout.Split('\n'))
        {
            if (!line.StartsWith("RESULT ", StringComparison.Ordinal)) continue;
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var obj = new JsonObject { ["mode"] = parts[1] };
            string? prefix = null;
            foreach (var part in parts.Skip(2))
            {
                int eq = part.IndexOf('=');
                if (eq < 0) { prefix = part; continue; }
                string key = part[..eq], value = part[(eq + 1)..];
                obj[key] = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : value;
            }
            lines.Add(new PeerLine(prefix, obj));
        }
        return _torchSharpCache[cacheKey] = lines;
    }

    private readonly Dictionary<string, IReadOnlyList<PeerLine>> _torchSharpCache = [];

    internal static IReadOnlyList<PeerLine> ParseJsonLines(string stdout)
    {
        var lines = new List<PeerLine>();
        foreach (var raw in stdout.Split('\n'))
        {
            var line = raw.Trim();
            int brace = line.IndexOf('{');
            if (brace < 0 || !line.EndsWith('}')) continue;
            string? prefix = brace == 0 ? null : line[..brace].Trim();
            if (prefix is not null && prefix.Contains(':')) continue;   // "config: ... {...}" is the BLAS report, not a result
            try { if (JsonNode.Parse(line[brace..]) is JsonObject obj) lines.Add(new PeerLine(prefix, obj)); }
            catch (System.Text.Json.JsonException) { }   // a Python dict printed with repr(), not a result line
        }
        return lines;
    }

    private static string LastLines(string text) => string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(3));

    private static (int Code, string Stdout, string Stderr) Run(string file, string[] args, string workingDirectory, Dictionary<string, string>? env)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) info.Environment[k] = v;
        using var p = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
