using System.Globalization;
using Hubel.Fuzz;
using SharpFuzz;

// hubel-fuzz modes:
//   afl TARGET                          run under afl-fuzz (instrumented Hubel.dll; see run.sh)
//   campaign TARGET SEEDDIR COUNT SEED [CRASHDIR [MAXSECONDS]]
//                                       in-process, coverage-less mutation run of COUNT inputs (no AFL needed)
//   seeds OUTDIR                        write the small seed corpora (one folder per target)
//   replay TARGET FILE...               feed files to a target once each (to reproduce a crash)
if (args.Length < 2) return Usage();
try
{
    switch (args[0])
    {
        case "afl":
            var target = Targets.Get(args[1]);
            Fuzzer.OutOfProcess.Run(stream =>
            {
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                target(copy.ToArray());
            });
            return 0;
        case "campaign" when args.Length >= 5:
            return Campaign.Run(args[1], args[2], long.Parse(args[3], CultureInfo.InvariantCulture),
                ulong.Parse(args[4], CultureInfo.InvariantCulture), args.Length > 5 ? args[5] : null,
                args.Length > 6 ? double.Parse(args[6], CultureInfo.InvariantCulture) : double.PositiveInfinity);
        case "seeds":
            SeedCorpus.Write(args[1]);
            return 0;
        case "replay" when args.Length >= 3:
            var run = Targets.Get(args[1]);
            foreach (var file in args.Skip(2)) { run(File.ReadAllBytes(file)); Console.WriteLine($"{file}: ok"); }
            return 0;
        default:
            return Usage();
    }
}
finally { Targets.CleanUp(); }

static int Usage()
{
    Console.Error.WriteLine("usage: hubel-fuzz afl TARGET | campaign TARGET SEEDDIR COUNT SEED [CRASHDIR [MAXSECONDS]] | seeds OUTDIR | replay TARGET FILE...");
    Console.Error.WriteLine($"targets: {string.Join(", ", Targets.Names)}");
    return 2;
}
