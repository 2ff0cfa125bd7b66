namespace Hubel.Training;

/// <summary>Progress inside an epoch, for progress bars.</summary>
public readonly record struct BatchProgress(int Epoch, int Batch, int Batches, double Loss, double Accuracy, double ImagesPerSecond);

/// <summary>What one epoch achieved. Seconds and images per second cover training only (not evaluation),
/// as the peer benchmark measures them. Validation loss and accuracy are NaN when no validation split is held out;
/// the learning rate is the one the epoch trained with (at its first batch).</summary>
public sealed record EpochReport(int Epoch, double TrainLoss, double TrainAccuracy, double TestLoss, double TestAccuracy,
    double ImagesPerSecond, double Seconds, double ValLoss = double.NaN, double ValAccuracy = double.NaN, double LearningRate = double.NaN)
{
    public bool HasValidation => !double.IsNaN(ValAccuracy);
}

/// <summary>Accuracy and mean loss over a data set.</summary>
public sealed record Evaluation(double Loss, double Accuracy, int Count, int[,] Confusion);
