using System.Globalization;
using Flow.Stages.Tabular.Csv;
using Sylvan.Data.Csv;

namespace Flow.Apps.FraudScore.Data;

/// <summary>
/// Maps the simulator's CSV columns (<see cref="TransactionSimulator.CsvHeader"/>) to a
/// <see cref="Transaction"/>; <c>is_fraud</c> and <c>pattern</c> are optional (unlabelled data).
/// </summary>
internal sealed class TransactionCsvMapper : ICsvRecordMapper<Transaction>
{
    private int _id, _timestamp, _card, _merchant, _mcc, _country, _amount, _fraud = -1, _pattern = -1;
    private int _requiredFields;
    private readonly Dictionary<string, string> _countries = new(StringComparer.Ordinal);

    public void Bind(CsvDataReader reader)
    {
        _id = Required(reader, "tx_id");
        _timestamp = Required(reader, "timestamp");
        _card = Required(reader, "card_id");
        _merchant = Required(reader, "merchant_id");
        _mcc = Required(reader, "mcc");
        _country = Required(reader, "country");
        _amount = Required(reader, "amount");
        _fraud = Optional(reader, "is_fraud");
        _pattern = Optional(reader, "pattern");
        _requiredFields = new[] { _id, _timestamp, _card, _merchant, _mcc, _country, _amount, _fraud, _pattern }.Max() + 1;
    }

    public Transaction Map(CsvDataReader reader)
    {
        if (reader.RowFieldCount < _requiredFields)
        {
            throw new FormatException($"{reader.RowFieldCount} fields, expected {_requiredFields}");
        }

        long id = Long(reader, _id, "tx_id");
        var timestamp = Timestamp(reader, _timestamp);

        long card = Long(reader, _card, "card_id");
        int merchant = (int)Long(reader, _merchant, "merchant_id");
        int mcc = (int)Long(reader, _mcc, "mcc");
        var countrySpan = reader.GetFieldSpan(_country);
        if (countrySpan.Length != 2 || !char.IsAsciiLetterUpper(countrySpan[0]) || !char.IsAsciiLetterUpper(countrySpan[1]))
        {
            throw new FormatException($"field 'country': '{countrySpan}' is not a two-letter country code");
        }

        var amountText = reader.GetFieldSpan(_amount);
        if (!float.TryParse(amountText, NumberStyles.Float, CultureInfo.InvariantCulture, out float amount) || !float.IsFinite(amount) || amount <= 0)
        {
            throw new FormatException($"field 'amount': '{amountText}' is not a positive number");
        }

        bool fraud = false;
        if (_fraud >= 0)
        {
            var text = reader.GetFieldSpan(_fraud);
            fraud = text switch
            {
                "1" => true,
                "0" => false,
                _ => throw new FormatException($"field 'is_fraud': '{text}' is not 0 or 1"),
            };
        }

        string pattern = _pattern >= 0 ? Intern(reader.GetFieldSpan(_pattern)) : FraudPattern.None;
        return new Transaction(id, timestamp, card, merchant, mcc, Intern(countrySpan), amount, fraud, pattern);
    }

    /// <summary>
    /// Sylvan's <c>GetDateTime</c> parses ISO 8601 on its fast path (the general <see cref="DateTime.TryParse(ReadOnlySpan{char}, IFormatProvider?, DateTimeStyles, out DateTime)"/>
    /// was the most expensive part of a row), with the general parser as its fallback. The result is
    /// normalised as <c>AdjustToUniversal | AssumeUniversal</c> would: UTC, and a time without a zone is taken as UTC.
    /// </summary>
    private static DateTime Timestamp(CsvDataReader reader, int ordinal)
    {
        DateTime value;
        try
        {
            value = reader.GetDateTime(ordinal);
        }
        catch (FormatException)
        {
            throw new FormatException($"field 'timestamp': '{reader.GetFieldSpan(ordinal)}' is not a date and time");
        }

        return value.Kind switch
        {
            DateTimeKind.Utc => value,
            DateTimeKind.Local => value.ToUniversalTime(),
            _ => DateTime.SpecifyKind(value, DateTimeKind.Utc),
        };
    }

    private string Intern(ReadOnlySpan<char> text)
    {
        var lookup = _countries.GetAlternateLookup<ReadOnlySpan<char>>();
        if (!lookup.TryGetValue(text, out var value))
        {
            value = text.ToString();
            if (_countries.Count < 4096)
            {
                _countries[value] = value;
            }
        }

        return value;
    }

    private static long Long(CsvDataReader reader, int ordinal, string name)
    {
        var text = reader.GetFieldSpan(ordinal);
        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) || value < 0)
        {
            throw new FormatException($"field '{name}': '{text}' is not a non-negative integer");
        }

        return value;
    }

    private static int Required(CsvDataReader reader, string name)
    {
        int ordinal = Optional(reader, name);
        return ordinal >= 0 ? ordinal : throw new FormatException($"column '{name}' is missing (expected {TransactionSimulator.CsvHeader})");
    }

    private static int Optional(CsvDataReader reader, string name)
    {
        for (int i = 0; i < reader.FieldCount; i++)
        {
            if (string.Equals(reader.GetName(i), name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
