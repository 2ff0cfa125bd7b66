using Hubel.Data;

namespace Hubel.Training;

/// <summary>One trained member of an ensemble.</summary>
public sealed record EnsembleMember(int Index, ulong Seed, Trainer Trainer, IReadOnlyList<EpochReport> History, double TestAccuracy);

/// <summary>The members and the ensemble's test accuracy in both modes.</summary>
public sealed record EnsembleResult(IReadOnlyList<EnsembleMember> Members, Ensemble Ensemble, double AverageAccuracy, double VoteAccuracy);

/// <summary>Trains k models that differ only in their seed (initial weights and data order), seeds seed..seed+k-1,
/// and evaluates each one and the ensemble.</summary>
public static class EnsembleTraining
{
    /// <param name="createRun">Builds member i's trainer and shuffled training loader from its seed (the caller picks
    /// model, optimiser, schedule and data; seed every random choice from the argument).</param>
    /// <param name="patience">When &gt; 0 (with <paramref name="validation"/>), each member stops early after this many
    /// epochs without a better validation accuracy.</param>
    /// <param name="metric">What early stopping watches.</param>
    /// <param name="onEpoch">Called after each member's epoch with the member's index.</param>
    public static EnsembleResult Train(int k, ulong seed, int epochs, Func<ulong, (Trainer Trainer, BatchLoader Train)> createRun,
        BatchLoader test, BatchLoader? validation = null, int patience = 0, EarlyStoppingMetric metric = EarlyStoppingMetric.ValAccuracy,
        Action<int, EpochReport>? onEpoch = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        ArgumentNullException.ThrowIfNull(createRun);
        ArgumentNullException.ThrowIfNull(test);
        if (patience > 0 && validation is null) throw new ArgumentException("early stopping needs a validation loader", nameof(patience));
        var members = new List<EnsembleMember>();
        for (int i = 0; i < k; i++)
        {
            ulong memberSeed = seed + (ulong)i;
            var (trainer, train) = createRun(memberSeed);
            var stopping = patience > 0 ? new EarlyStopping(patience, metric) : null;
            var history = new List<EpochReport>();
            for (int epoch = 1; epoch <= epochs; epoch++)
            {
                var report = trainer.RunEpoch(epoch, train, test, validation: validation);
                history.Add(report);
                onEpoch?.Invoke(i, report);
                stopping?.Observe(report);
                if (stopping?.ShouldStop == true) break;
            }
            members.Add(new EnsembleMember(i, memberSeed, trainer, history, Trainer.Evaluate(trainer.Model, test).Accuracy));
        }
        var ensemble = new Ensemble(members.Select(m => m.Trainer.Model));
        return new EnsembleResult(members, ensemble, ensemble.Accuracy(test, EnsembleMode.AverageProbabilities), ensemble.Accuracy(test, EnsembleMode.MajorityVote));
    }
}
