namespace Hubel.Training;

/// <summary>What early stopping and the best checkpoint watch on the validation split.</summary>
public enum EarlyStoppingMetric { ValAccuracy, ValLoss }

/// <summary>
/// Tracks the best epoch by validation accuracy (higher is better) or loss (lower is better) and says when to stop:
/// after <see cref="Patience"/> epochs in a row without improvement. Its whole state follows from the epoch
/// reports, so a resumed run replays its history (<see cref="Observe"/>) and continues identically.
/// </summary>
public sealed class EarlyStopping
{
    public EarlyStopping(int patience, EarlyStoppingMetric monitor = EarlyStoppingMetric.ValAccuracy)
    {
        if (patience < 1) throw new ArgumentOutOfRangeException(nameof(patience), $"patience must be >= 1 epoch; got {patience}");
        Patience = patience; Monitor = monitor;
    }

    public int Patience { get; }
    public EarlyStoppingMetric Monitor { get; }

    /// <summary>The best epoch so far (0 before any) and its monitored value.</summary>
    public int BestEpoch { get; private set; }
    public double BestValue { get; private set; } = double.NaN;

    /// <summary>Epochs since the last improvement.</summary>
    public int EpochsWithoutImprovement { get; private set; }

    public bool ShouldStop => EpochsWithoutImprovement >= Patience;

    /// <summary>Records one epoch; returns true when it is the best so far (save it as the best checkpoint).</summary>
    public bool Observe(EpochReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (!report.HasValidation) throw new ArgumentException($"epoch {report.Epoch} has no validation result; early stopping needs a validation split", nameof(report));
        double value = Monitor == EarlyStoppingMetric.ValAccuracy ? report.ValAccuracy : report.ValLoss;
        bool better = BestEpoch == 0 || (Monitor == EarlyStoppingMetric.ValAccuracy ? value > BestValue : value < BestValue);
        if (better)
        {
            BestEpoch = report.Epoch; BestValue = value; EpochsWithoutImprovement = 0;
        }
        else EpochsWithoutImprovement++;
        return better;
    }
}
