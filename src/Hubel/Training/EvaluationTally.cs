namespace Hubel.Training;

/// <summary>Running totals behind an <see cref="Evaluation"/>: loss sum, correct count and confusion matrix. Shared by the
/// plain evaluation (which works from logits) and test-time augmentation (which works from averaged probabilities), so the
/// two report the same numbers the same way.</summary>
internal sealed class EvaluationTally(int classes)
{
    private readonly int[,] confusion = new int[classes, classes];
    private double lossSum;
    private long correct, seen;

    /// <summary>Adds one batch's summed loss (not its mean).</summary>
    public void AddLoss(double batchLossSum) => lossSum += batchLossSum;

    /// <summary>Counts one example; a prediction outside the class range (a model with more outputs than the data set
    /// has classes) is wrong and left out of the confusion matrix.</summary>
    public void Add(int label, int predicted)
    {
        if (predicted < classes) confusion[label, predicted]++;
        if (predicted == label) correct++;
        seen++;
    }

    public Evaluation Result()
    {
        long count = Math.Max(seen, 1);
        return new Evaluation(lossSum / count, (double)correct / count, (int)seen, confusion);
    }
}
