namespace Hubel.Cli.Bench;

/// <summary>Everything a workload needs: which peer to run beside Hubel, where the peers and the data are, whether
/// this is a short smoke run, and where rows and progress go.</summary>
internal sealed class BenchContext(PeerKind peer, string peersDir, string? dataDir, bool quick, int seed, int runs, Action<BenchRow> emit,
    bool profile = false)
{
    public PeerKind Peer { get; } = peer;
    public string PeersDir { get; } = peersDir;
    public string? DataDir { get; } = dataDir;
    /// <summary>Tiny shapes and a handful of steps, Hubel only: a smoke test of the harness, not a measurement.</summary>
    public bool Quick { get; } = quick;
    public int Seed { get; } = seed;
    /// <summary>How many times each training workload alternates Hubel and the peer (A B A B ...); medians are reported.</summary>
    public int Runs { get; } = runs;
    /// <summary>Training workloads print a table of where each measured step's time goes (<see cref="Hubel.Analysis.OpProfiler"/>).</summary>
    public bool Profile { get; } = profile;

    public void Emit(BenchRow row) => emit(row);

    /// <summary>Progress for long runs goes to stderr, so stdout stays the table or the JSON lines.</summary>
    public static void Progress(string message) => Console.Error.WriteLine($"bench: {message}");

    /// <summary>The peer process for this run, or null with --peer none.</summary>
    public PeerProcess? PeerRunner { get; } = peer == PeerKind.None ? null : new PeerProcess(peer, peersDir);
}

/// <summary>Which system runs the same workload beside Hubel.</summary>
internal enum PeerKind { None, PyTorch, TorchSharp }
