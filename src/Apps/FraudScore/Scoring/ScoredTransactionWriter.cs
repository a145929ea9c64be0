using System.Globalization;
using System.Text;
using Flow.Apps.FraudScore.Data;
using Flow.Pipeline;
using Flow.Stages.Tabular.Scoring;

namespace Flow.Apps.FraudScore.Scoring;

/// <summary>
/// The end of the CSV scoring pipeline: applies the threshold, writes the scored output and the
/// alerts, and counts what it saw (for the report and the labelled precision/recall).
/// </summary>
internal sealed class ScoredTransactionWriter(string? scoredPath, string? alertsPath, float threshold, Action<Transaction, float, bool>? observer = null)
    : ISinkStage<ScoredChunk<Transaction>>, IDisposable
{
    public const string Header = "tx_id,card_id,timestamp,amount,probability,alert,is_fraud";

    private StreamWriter? _scored;
    private StreamWriter? _alerts;

    public long Scored { get; private set; }

    public long Alerts { get; private set; }

    public long LabelledFraud { get; private set; }

    public long TruePositiveAlerts { get; private set; }

    public ValueTask OpenAsync(StageContext context, CancellationToken cancellationToken)
    {
        _scored = Create(scoredPath);
        _alerts = Create(alertsPath);
        return ValueTask.CompletedTask;
    }

    public ValueTask ConsumeAsync(ScoredChunk<Transaction> item, CancellationToken cancellationToken)
    {
        var probabilities = item.Probabilities;
        var transactions = item.Items;
        for (int i = 0; i < transactions.Length; i++)
        {
            Consume(transactions[i], probabilities[i]);
        }

        return ValueTask.CompletedTask;
    }

    private void Consume(Transaction tx, float probability)
    {
        bool alert = probability >= threshold;
        Scored++;
        LabelledFraud += tx.IsFraud ? 1 : 0;
        if (alert)
        {
            Alerts++;
            TruePositiveAlerts += tx.IsFraud ? 1 : 0;
        }

        if (_scored is not null || (alert && _alerts is not null))
        {
            string line = Format(tx, probability, alert);
            _scored?.Write(line);
            if (alert)
            {
                _alerts?.Write(line);
            }
        }

        observer?.Invoke(tx, probability, alert);
    }

    public ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        _scored?.Dispose();
        _scored = null;
        _alerts?.Dispose();
        _alerts = null;
    }

    internal static string Format(Transaction tx, float probability, bool alert) =>
        string.Create(CultureInfo.InvariantCulture, $"{tx.TransactionId},{tx.CardId},{tx.Timestamp:yyyy-MM-ddTHH:mm:ss.fffZ},{tx.Amount:0.00},{probability:R},{(alert ? 1 : 0)},{(tx.IsFraud ? 1 : 0)}\n");

    private static StreamWriter? Create(string? path)
    {
        if (path is null)
        {
            return null;
        }

        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), bufferSize: 1 << 16);
        writer.Write(Header + "\n");
        return writer;
    }
}
