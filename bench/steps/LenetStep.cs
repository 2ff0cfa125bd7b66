#:project ../../src/Hubel/Hubel.csproj
#:property TreatWarningsAsErrors=false
// LeNet-5 training steps on random data (batch 64): median wall and CPU ms per step, managed bytes allocated per
// step and GC counts over the measured steps. usage: dotnet run bench/steps/LenetStep.cs [steps=200] [batch=64]
using System.Diagnostics;
using Hubel.Models;
using Hubel.Ops;
using Hubel.Optim;
using Hubel.Tensors;

int steps = args.Length > 0 ? int.Parse(args[0]) : 200, batch = args.Length > 1 ? int.Parse(args[1]) : 64;
var rng = new Rng(1);
var model = new LeNet5(rng: rng);
var opt = new Sgd(model.Parameters(), 0.01, 0.9);
var data = new float[batch * 28 * 28];
var r = new Random(1);
for (int i = 0; i < data.Length; i++) data[i] = (float)(r.NextDouble() * 2 - 1);
var x = Tensor.FromArray(data, [batch, 1, 28, 28]);
var y = new int[batch];
for (int i = 0; i < batch; i++) y[i] = r.Next(10);
void Step() { var loss = F.CrossEntropy(model.Call(x), y); opt.ZeroGrad(); loss.Backward(); opt.Step(); }
for (int i = 0; i < 20; i++) Step();
var wall = new List<double>();
var proc = Process.GetCurrentProcess();
long bytes0 = GC.GetTotalAllocatedBytes(true);
int g0 = GC.CollectionCount(0), g1 = GC.CollectionCount(1), g2 = GC.CollectionCount(2);
var cpu0 = proc.TotalProcessorTime;
var total = Stopwatch.StartNew();
for (int i = 0; i < steps; i++) { var sw = Stopwatch.StartNew(); Step(); wall.Add(sw.Elapsed.TotalMilliseconds); }
total.Stop();
proc.Refresh();
var cpu = (proc.TotalProcessorTime - cpu0).TotalMilliseconds / steps;
long bytes = (GC.GetTotalAllocatedBytes(true) - bytes0) / steps;
wall.Sort();
Console.WriteLine($"lenet batch {batch}: median {wall[steps / 2]:F2} ms/step, mean {total.Elapsed.TotalMilliseconds / steps:F2}, cpu {cpu:F2} ms/step, " +
    $"{bytes / 1024.0:F1} KB allocated/step, GC gen0/1/2 per 1000 steps {(GC.CollectionCount(0) - g0) * 1000 / steps}/{(GC.CollectionCount(1) - g1) * 1000 / steps}/{(GC.CollectionCount(2) - g2) * 1000 / steps}");
