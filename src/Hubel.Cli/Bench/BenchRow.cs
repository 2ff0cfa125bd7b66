namespace Hubel.Cli.Bench;

/// <summary>One measured figure: Hubel's and the peer's (null when no peer ran this case) in one unit.
/// <see cref="Ratio"/> is oriented so that above 1 means Hubel is better: peer/Hubel for times, Hubel/peer for rates.</summary>
internal sealed record BenchRow(string Workload, string Case, double Hubel, double? Peer, string Unit)
{
    /// <summary>Whether a larger figure is better (rates, accuracy, a ratio already oriented as "x") rather than smaller (times).</summary>
    public bool HigherIsBetter => Unit is "GFLOP/s" or "img/s" or "accuracy" or "%" or "x";

    public double? Ratio => Peer is { } p && p > 0 && Hubel > 0 ? (HigherIsBetter ? Hubel / p : p / Hubel) : null;
}
