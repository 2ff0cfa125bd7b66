namespace Hubel.Training;

/// <summary>Precision, recall and F1 of one class, from a confusion matrix (rows: true, columns: predicted).</summary>
public sealed record ClassMetrics(int Class, string Name, int Support, double Precision, double Recall, double F1)
{
    public static IReadOnlyList<ClassMetrics> FromConfusion(int[,] confusion, IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(confusion);
        int k = confusion.GetLength(0);
        var result = new List<ClassMetrics>(k);
        for (int c = 0; c < k; c++)
        {
            long tp = confusion[c, c], predicted = 0, actual = 0;
            for (int j = 0; j < k; j++) { predicted += confusion[j, c]; actual += confusion[c, j]; }
            double p = predicted == 0 ? 0 : (double)tp / predicted, r = actual == 0 ? 0 : (double)tp / actual;
            result.Add(new ClassMetrics(c, c < names.Count ? names[c] : c.ToString(), (int)actual, p, r, p + r == 0 ? 0 : 2 * p * r / (p + r)));
        }
        return result;
    }
}
