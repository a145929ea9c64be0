using ScottPlot;

namespace Flow.Apps.SpeechRec;

/// <summary>Draws a confusion matrix (rows: true word, columns: predicted) as a PNG heat map with ScottPlot.</summary>
internal static class ConfusionMatrixPlot
{
    public static void Save(string path, int[,] confusion, IReadOnlyList<string> labels, string title)
    {
        int n = labels.Count;
        var share = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            double total = 0;
            for (int j = 0; j < n; j++)
            {
                total += confusion[i, j];
            }

            for (int j = 0; j < n; j++)
            {
                share[i, j] = total == 0 ? 0 : confusion[i, j] / total;
            }
        }

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(share);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.Rectangle = new CoordinateRect(-0.5, n - 0.5, -0.5, n - 0.5);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                if (confusion[i, j] == 0)
                {
                    continue;
                }

                // Row i of the array is drawn at the top: y = n − 1 − i.
                var text = plot.Add.Text(confusion[i, j].ToString(System.Globalization.CultureInfo.InvariantCulture), j, n - 1 - i);
                text.LabelFontSize = 10;
                text.LabelFontColor = share[i, j] > 0.5 ? Colors.Black : Colors.White;
                text.LabelAlignment = Alignment.MiddleCenter;
            }
        }

        double[] positions = [.. Enumerable.Range(0, n).Select(i => (double)i)];
        plot.Axes.Bottom.SetTicks(positions, [.. labels]);
        plot.Axes.Left.SetTicks([.. positions.Select(p => n - 1 - p)], [.. labels]);
        plot.Axes.Bottom.Label.Text = "predicted";
        plot.Axes.Left.Label.Text = "spoken";
        plot.Title(title);
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        plot.SavePng(path, 900, 850);
    }
}
