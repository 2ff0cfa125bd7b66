using System.Diagnostics;
using System.Globalization;
using Hubel.Backends.Cpu;
using Hubel.Data;
using Hubel.Imaging;
using Hubel.Models;
using Hubel.Nn;
using Hubel.Optim;
using Hubel.Serialization;
using Hubel.Tensors;
using Hubel.Training;

// Usage: Soak <out-dir> <minutes> [sample-seconds] [warmup-minutes]
// Trains LeNet-5 on the shipped Fashion-MNIST subset epoch after epoch (saving a model file after each, as a real
// run would) until the time is up, while a background thread samples memory. Memory that keeps growing after
// warm-up means a leak: tapes, pooled buffers or file handles that are never released.
if (args.Length < 2) { Console.Error.WriteLine("usage: Soak <out-dir> <minutes> [sample-seconds] [warmup-minutes]"); return 2; }
string outDir = args[0];
double minutes = double.Parse(args[1], CultureInfo.InvariantCulture);
double sampleSeconds = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 10;
double warmupMinutes = args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : Math.Min(5, minutes / 4);
Directory.CreateDirectory(outDir);

CpuThreads.Count = 1;
var split = FashionMnist.LoadShipped();
Init.ManualSeed(0);
var net = ModelZoo.Create("lenet5", split.Train.ClassCount, split.Train.Channels);
var trainer = new Trainer(net, new Sgd(net.Parameters(), 0.01, 0.9, 0));
var train = new BatchLoader(split.Train, 64, shuffle: true, rng: new Rng(1));
var test = new BatchLoader(split.Test, 1000, shuffle: false);
var info = new ModelInfo("lenet5", split.Train.ClassNames, split.Train.Channels, split.Train.Height, split.Train.Width,
    Normalization.FashionMnistMean, Normalization.FashionMnistStd);

var samples = new List<Sample>();
var clock = Stopwatch.StartNew();
int epoch = 0;
using var stop = new CancellationTokenSource();
var sampler = new Thread(() =>
{
    while (!stop.IsCancellationRequested)
    {
        var s = Take(clock.Elapsed.TotalSeconds, Volatile.Read(ref epoch));
        lock (samples) samples.Add(s);
        Console.WriteLine(s.ToCsv());
        stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(sampleSeconds));
    }
}) { IsBackground = true };
Console.WriteLine(Sample.Header);
sampler.Start();
while (clock.Elapsed.TotalMinutes < minutes)
{
    int e = Interlocked.Increment(ref epoch);
    var report = trainer.RunEpoch(e, train, test);
    ModelFile.Save(Path.Combine(outDir, "soak-model.safetensors"), net, info);
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"epoch {e}: train loss {report.TrainLoss:F4} test acc {report.TestAccuracy:P2} {report.ImagesPerSecond:N0} img/s"));
}
stop.Cancel();
sampler.Join();
lock (samples) samples.Add(Take(clock.Elapsed.TotalSeconds, epoch));

File.WriteAllLines(Path.Combine(outDir, "soak.csv"), [Sample.Header, .. samples.Select(s => s.ToCsv())]);
var chart = LineChart.Render("Memory during a training soak (MiB)",
[
    new Series("process RSS", samples.Select(s => (s.Seconds / 60, s.RssBytes / 1048576.0)).ToList(), LineChart.Blue),
    new Series("managed heap", samples.Select(s => (s.Seconds / 60, s.HeapBytes / 1048576.0)).ToList(), LineChart.Orange),
], "minutes", 640, 360);
ImageFile.SavePng(Path.Combine(outDir, "soak.png"), chart);

// Growth after warm-up: a least-squares slope over the samples after warm-up, and first-vs-last window means.
var after = samples.Where(s => s.Seconds >= warmupMinutes * 60).ToList();
string summary = Summary(after, epoch, warmupMinutes);
File.WriteAllText(Path.Combine(outDir, "soak-summary.txt"), summary);
Console.Error.Write(summary);
return 0;

static Sample Take(double seconds, int epoch)
{
    var gc = GC.GetGCMemoryInfo();
    return new Sample(seconds, epoch, ReadRss(), GC.GetTotalMemory(false), gc.HeapSizeBytes, gc.TotalCommittedBytes,
        GC.CollectionCount(0), GC.CollectionCount(2));
}

static long ReadRss()
{
    // VmRSS from /proc (Linux); Environment.WorkingSet is the same number where /proc is missing.
    foreach (var line in File.ReadLines("/proc/self/status"))
        if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    return Environment.WorkingSet;
}

static string Summary(List<Sample> after, int epochs, double warmupMinutes)
{
    if (after.Count < 4) return $"too few samples after the {warmupMinutes} min warm-up to judge growth\n";
    int w = Math.Max(1, after.Count / 10);
    double Mib(double b) => b / 1048576.0;
    double Slope(Func<Sample, double> f)
    {
        double mx = after.Average(s => s.Seconds), my = after.Average(f);
        double num = after.Sum(s => (s.Seconds - mx) * (f(s) - my)), den = after.Sum(s => (s.Seconds - mx) * (s.Seconds - mx));
        return den == 0 ? 0 : num / den * 3600;   // bytes per hour
    }
    string Line(string name, Func<Sample, double> f) => string.Create(CultureInfo.InvariantCulture,
        $"{name}: first 10% mean {Mib(after.Take(w).Average(f)):F1} MiB, last 10% mean {Mib(after.TakeLast(w).Average(f)):F1} MiB, " +
        $"min {Mib(after.Min(f)):F1}, max {Mib(after.Max(f)):F1}, least-squares slope {Mib(Slope(f)):+0.00;-0.00} MiB/hour\n");
    return string.Create(CultureInfo.InvariantCulture,
               $"soak: {after[^1].Seconds / 60:F1} min, {epochs} epochs, {after.Count} samples after a {warmupMinutes} min warm-up\n") +
           Line("process RSS", s => s.RssBytes) + Line("managed heap (GC.GetTotalMemory)", s => s.HeapBytes) +
           Line("GC heap size (GetGCMemoryInfo)", s => s.GcHeapSizeBytes) + Line("GC committed", s => s.GcCommittedBytes);
}

internal sealed record Sample(double Seconds, int Epoch, long RssBytes, long HeapBytes, long GcHeapSizeBytes, long GcCommittedBytes, int Gen0, int Gen2)
{
    public const string Header = "seconds,epoch,rss_bytes,managed_heap_bytes,gc_heap_size_bytes,gc_committed_bytes,gen0_collections,gen2_collections";
    public string ToCsv() => string.Create(CultureInfo.InvariantCulture,
        $"{Seconds:F1},{Epoch},{RssBytes},{HeapBytes},{GcHeapSizeBytes},{GcCommittedBytes},{Gen0},{Gen2}");
}
