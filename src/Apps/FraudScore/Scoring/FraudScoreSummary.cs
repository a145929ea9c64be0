using System.Globalization;
using System.Text;
using Flow.Pipeline;

namespace Flow.Apps.FraudScore.Scoring;

/// <summary>What a scoring run did.</summary>
/// <param name="Model">The model kind used.</param>
/// <param name="Threshold">The alert threshold.</param>
/// <param name="RowsRead">Input records read (valid and malformed).</param>
/// <param name="Rejected">Malformed records sent to the dead-letter file.</param>
/// <param name="Scored">Transactions scored.</param>
/// <param name="Alerts">Transactions at or above the threshold.</param>
/// <param name="LabelledFraud">Scored transactions labelled as fraud in the input (0 for unlabelled data).</param>
/// <param name="TruePositiveAlerts">Alerts on transactions labelled as fraud.</param>
/// <param name="Pipeline">The pipeline's result: per-stage figures and the bottleneck.</param>
public sealed record FraudScoreSummary(string Model, float Threshold, long RowsRead, long Rejected, long Scored, long Alerts, long LabelledFraud, long TruePositiveAlerts, PipelineResult Pipeline)
{
    /// <summary>Transactions per second over the whole run.</summary>
    public double EventsPerSecond => Pipeline.Elapsed.TotalSeconds > 0 ? Scored / Pipeline.Elapsed.TotalSeconds : 0;

    /// <summary>For Kafka: how long joining the group and the first fetch took.</summary>
    /// <value>The default is <see langword="null"/> (CSV runs, or no record arrived).</value>
    public TimeSpan? TimeToFirstRecord { get; init; }

    /// <summary>Transactions per second from the first record on (excludes <see cref="TimeToFirstRecord"/>).</summary>
    public double EventsPerSecondAfterFirstRecord
    {
        get
        {
            double seconds = (Pipeline.Elapsed - (TimeToFirstRecord ?? TimeSpan.Zero)).TotalSeconds;
            return seconds > 0 ? Scored / seconds : 0;
        }
    }

    /// <summary>Formats the end-of-run report: counts, labelled precision and recall, then the pipeline report.</summary>
    /// <returns>The report.</returns>
    public string FormatReport()
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $"fraud score [{Model}, threshold {Threshold:0.0000}]: {Scored:N0} scored, {Alerts:N0} alerts, {Rejected:N0} malformed rows dead-lettered, {EventsPerSecond:N0} events/s");
        if (TimeToFirstRecord is { } warmUp)
        {
            text.AppendLine(inv, $"first record after {warmUp.TotalSeconds:0.0} s (group join, first fetch); {EventsPerSecondAfterFirstRecord:N0} events/s from then on");
        }

        if (LabelledFraud > 0)
        {
            double precision = Alerts == 0 ? 1 : TruePositiveAlerts / (double)Alerts;
            double recall = TruePositiveAlerts / (double)LabelledFraud;
            text.AppendLine(inv, $"against the input's labels: precision {precision:0.000}, recall {recall:0.000} ({TruePositiveAlerts:N0} of {LabelledFraud:N0} frauds alerted)");
        }

        text.Append(Pipeline.FormatReport());
        return text.ToString();
    }
}
