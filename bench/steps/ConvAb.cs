#:project ../../src/Hubel/Hubel.csproj
#:property TreatWarningsAsErrors=false
// A/B of convolution algorithms on one shape, alternating in one process so machine load hits both alike.
// Prints the best-of-rounds ms per forward+backward (weight and bias gradients; input gradient too with dx=1).
// usage: dotnet run bench/steps/ConvAb.cs N C H COUT K PAD STRIDE DX ALG1 ALG2 ...
using System.Diagnostics;
using Hubel.Ops;
using Hubel.Tensors;

int n = int.Parse(args[0]), c = int.Parse(args[1]), h = int.Parse(args[2]), cout = int.Parse(args[3]), k = int.Parse(args[4]);
int pad = int.Parse(args[5]), stride = int.Parse(args[6]);
bool dx = args[7] == "1";
var algs = args.Skip(8).Select(Enum.Parse<ConvAlgorithm>).ToArray();
var rng = new Rng(1);
var x = Tensor.Uniform([n, c, h, h], -1, 1, rng).RequireGrad(dx);
var w = Tensor.Uniform([cout, c, k, k], -1, 1, rng).RequireGrad();
var b = Tensor.Uniform([cout], -1, 1, rng).RequireGrad();
double Once(ConvAlgorithm a)
{
    var sw = Stopwatch.StartNew();
    var y = F.Conv2d(x, w, b, stride: stride, padding: pad, algorithm: a);
    y.Backward(y);
    return sw.Elapsed.TotalMilliseconds;
}
var best = algs.ToDictionary(a => a, _ => double.MaxValue);
int iters = Math.Max(3, (int)(2e8 / Math.Max(1L, (long)n * c * h * h * cout * k * k)));
foreach (var a in algs) for (int i = 0; i < 3; i++) Once(a);
for (int round = 0; round < 7; round++)
    foreach (var a in algs)
    {
        double t = 0;
        for (int i = 0; i < iters; i++) t += Once(a);
        best[a] = Math.Min(best[a], t / iters);
    }
Console.WriteLine($"conv N={n} C={c} H={h} Cout={cout} K={k} pad={pad} stride={stride} dx={dx}: " +
    string.Join("  ", algs.Select(a => $"{a} {best[a]:F3} ms")) + (algs.Length > 1 ? $"  ratio {best[algs[0]] / best[algs[1]]:F2}" : ""));
