using ScottPlot;

namespace Flow.Cli.Train;

/// <summary>Draws the training curve (losses and test accuracy per epoch) as a PNG with ScottPlot.</summary>
internal static class TrainingCurve
{
    public static void Save(IReadOnlyList<EpochResult> history, string path, string title)
    {
        double[] epochs = [.. history.Select(h => (double)h.Epoch)];
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("loss / accuracy");
        var train = plot.Add.Scatter(epochs, [.. history.Select(h => (double)h.TrainLoss)]);
        train.LegendText = "train loss";
        var test = plot.Add.Scatter(epochs, [.. history.Select(h => (double)h.TestLoss)]);
        test.LegendText = "test loss";
        var accuracy = plot.Add.Scatter(epochs, [.. history.Select(h => (double)h.TestAccuracy)]);
        accuracy.LegendText = "test accuracy";
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.ShowLegend(Alignment.MiddleRight);
        plot.SavePng(path, 900, 550);
    }
}
