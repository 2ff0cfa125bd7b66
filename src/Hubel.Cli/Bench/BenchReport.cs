using System.Globalization;
using Spectre.Console;

namespace Hubel.Cli.Bench;

/// <summary>Writes rows as --json lines the moment they are measured, or as one table per workload.</summary>
internal sealed class BenchReport(bool json)
{
    private readonly List<BenchRow> _pending = [];

    public void Add(BenchRow row)
    {
        if (!json) { _pending.Add(row); return; }
        Console.WriteLine(JsonOut.Object(w =>
        {
            w.WriteString("workload", row.Workload);
            w.WriteString("case", row.Case);
            w.WriteNumber("hubel", Round(row.Hubel));
            if (row.Peer is { } p) w.WriteNumber("peer", Round(p)); else w.WriteNull("peer");
            if (row.Ratio is { } r) w.WriteNumber("ratio", Round(r)); else w.WriteNull("ratio");
            w.WriteString("unit", row.Unit);
        }));
        Console.Out.Flush();
    }

    /// <summary>Prints the table of the rows since the last flush (nothing in --json mode, whose lines are already out).</summary>
    public void Flush(string peerName)
    {
        if (json || _pending.Count == 0) return;
        var table = new Table { Caption = new TableTitle("ratio > 1: Hubel is better (peer/Hubel for times, Hubel/peer for rates)") }
            .AddColumns("workload", "case", "Hubel", Markup.Escape(peerName), "ratio", "unit");
        foreach (var r in _pending)
            table.AddRow(Markup.Escape(r.Workload), Markup.Escape(r.Case), Format(r.Hubel), r.Peer is { } p ? Format(p) : "-",
                r.Ratio is { } x ? x.ToString("F2", CultureInfo.InvariantCulture) + "x" : "-", Markup.Escape(r.Unit));
        Terminal.Tables.Write(table);
        _pending.Clear();
    }

    private static double Round(double v) => double.IsFinite(v) ? Math.Round(v, v >= 100 ? 1 : 4) : 0;

    private static string Format(double v) => v switch
    {
        >= 1000 => v.ToString("N0", CultureInfo.InvariantCulture),
        >= 10 => v.ToString("F1", CultureInfo.InvariantCulture),
        _ => v.ToString("G4", CultureInfo.InvariantCulture),
    };
}
