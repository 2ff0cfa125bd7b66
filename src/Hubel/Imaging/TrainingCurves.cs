using Hubel.Tensors;
using Hubel.Training;

namespace Hubel.Imaging;

/// <summary>Loss and accuracy per epoch, train / validation / test, as two line charts side by side: the picture of
/// `hubel train --plot` and of `hubel plot LOG`. A series the log does not have (all NaN) is left out.</summary>
public static class TrainingCurves
{
    private static readonly (float, float, float) Green = (0.17f, 0.63f, 0.17f);

    public static Tensor Render(IReadOnlyList<EpochReport> reports, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(reports);
        if (reports.Count == 0) throw new ArgumentException("no epochs to plot", nameof(reports));
        List<Series> Curves(Func<EpochReport, double> train, Func<EpochReport, double> val, Func<EpochReport, double> test)
        {
            var series = new List<Series>();
            void Add(string name, Func<EpochReport, double> value, (float, float, float) colour)
            {
                var points = reports.Select(r => ((double)r.Epoch, value(r))).Where(p => double.IsFinite(p.Item2)).ToList();
                if (points.Count > 0) series.Add(new Series(name, points, colour));
            }
            Add("train", train, LineChart.Blue);
            Add("validation", val, Green);
            Add("test", test, LineChart.Orange);
            return series;
        }
        var loss = Curves(r => r.TrainLoss, r => r.ValLoss, r => r.TestLoss);
        var accuracy = Curves(r => r.TrainAccuracy, r => r.ValAccuracy, r => r.TestAccuracy);
        var charts = new List<Tensor>();
        if (loss.Count > 0) charts.Add(LineChart.Render(title is null ? "loss" : $"{title}: loss", loss, "epoch"));
        if (accuracy.Count > 0) charts.Add(LineChart.Render(title is null ? "accuracy" : $"{title}: accuracy", accuracy, "epoch"));
        if (charts.Count == 0) throw new ArgumentException("the epochs carry no finite loss or accuracy", nameof(reports));
        return LineChart.SideBySide([.. charts]);
    }
}
