using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace Hubel.Fuzz;

/// <summary>A coverage-less mutation campaign run in-process: mutate the seed corpus (and, a third of the time, the
/// previous mutant, to go deeper), feed the target, and record every input that escapes with an unexpected
/// exception (a crash) or uses more than <see cref="HangSeconds"/> of CPU (a hang). Reports exact counts, the peak RSS
/// and the most any single input allocated (a reader that trusts a length field shows up there).</summary>
internal static class Campaign
{
    private const double HangSeconds = 10;

    public static int Run(string targetName, string seedDir, long count, ulong seed, string? crashDir, double maxSeconds = double.PositiveInfinity)
    {
        var target = Targets.Get(targetName);
        var seeds = Directory.GetFiles(Path.Combine(seedDir, targetName)).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray();
        if (seeds.Length == 0) throw new ArgumentException($"no seed files in {Path.Combine(seedDir, targetName)}", nameof(seedDir));
        crashDir ??= Path.Combine(Path.GetTempPath(), $"hubel-fuzz-crashes-{targetName}");
        Directory.CreateDirectory(crashDir);
        foreach (var s in seeds) target(s);   // the seeds themselves must pass

        var mutator = new Mutator(seed);
        var pick = new Tensors.Rng(seed ^ 0x9E3779B97F4A7C15UL);
        var uniqueCrashes = new Dictionary<string, int>();
        long crashes = 0, hangs = 0, maxAlloc = 0, done = 0;
        byte[] previous = seeds[0];
        byte[]? current = null;
        long started = 0;   // Stopwatch ticks when the current input began; 0 between inputs
        var clock = Stopwatch.StartNew();
        // A hang is an input that has used HangSeconds of CPU, not of wall-clock time: on a shared, overloaded machine a
        // niced process can sit descheduled for longer than that (the first long run reported three false hangs so).
        long sequence = 0;
        var watchdog = new Thread(() =>
        {
            long watched = -1;
            TimeSpan cpuAtStart = default;
            while (Interlocked.Read(ref done) < count)
            {
                Thread.Sleep(250);
                long s = Interlocked.Read(ref started), seq = Interlocked.Read(ref sequence);
                if (s == 0) { watched = -1; continue; }
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                if (seq != watched) { watched = seq; cpuAtStart = cpu; continue; }
                if ((cpu - cpuAtStart).TotalSeconds > HangSeconds && current is { } input)
                {
                    Save(crashDir, "hang", input);
                    Console.Error.WriteLine($"HANG: an input used over {HangSeconds} s of CPU; saved to {crashDir}; stopping");
                    Environment.Exit(3);
                }
            }
        }) { IsBackground = true };
        watchdog.Start();

        long executed = 0;
        for (long i = 0; i < count && clock.Elapsed.TotalSeconds < maxSeconds; i++)
        {
            executed = i + 1;
            byte[] basis = pick.NextInt(3) == 0 ? previous : seeds[pick.NextInt(seeds.Length)];
            var input = mutator.Mutate(basis, seeds[pick.NextInt(seeds.Length)]);
            current = input;
            long before = GC.GetAllocatedBytesForCurrentThread();
            Interlocked.Increment(ref sequence);
            Interlocked.Exchange(ref started, clock.ElapsedTicks);
            try { target(input); }
            catch (Exception e)
            {
                crashes++;
                string key = $"{e.GetType().Name} at {e.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}";
                if (uniqueCrashes.TryAdd(key, 1))
                {
                    string file = Save(crashDir, "crash", input);
                    Console.Error.WriteLine($"CRASH #{uniqueCrashes.Count}: {e.GetType().Name}: {e.Message}\n  {key}\n  input: {file}");
                }
                else uniqueCrashes[key]++;
            }
            Interlocked.Exchange(ref started, 0);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated > maxAlloc)
            {
                maxAlloc = allocated;
                if (allocated > 64L << 20) File.WriteAllBytes(Path.Combine(crashDir, "largest-allocation"), input);   // to inspect, not a failure
            }
            previous = input;
            Interlocked.Increment(ref done);
            if ((i + 1) % 200_000 == 0)
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{targetName}: {i + 1:N0} execs, {(i + 1) / clock.Elapsed.TotalSeconds:N0}/s, {crashes} crashes ({uniqueCrashes.Count} unique), {hangs} hangs, peak RSS {PeakRssMiB():F0} MiB, max alloc/input {maxAlloc / 1048576.0:F1} MiB"));
        }
        Interlocked.Exchange(ref done, count);   // stops the watchdog
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT target={targetName} seed={seed} execs={executed} seconds={clock.Elapsed.TotalSeconds:F0} crashes={crashes} unique_crashes={uniqueCrashes.Count} hangs={hangs} peak_rss_mib={PeakRssMiB():F0} max_alloc_per_input_mib={maxAlloc / 1048576.0:F1}"));
        return crashes == 0 ? 0 : 1;
    }

    private static string Save(string dir, string kind, byte[] input)
    {
        string file = Path.Combine(dir, $"{kind}-{Convert.ToHexString(SHA256.HashData(input))[..16].ToLowerInvariant()}");
        File.WriteAllBytes(file, input);
        return file;
    }

    private static double PeakRssMiB()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        return Environment.WorkingSet / 1048576.0;
    }
}
