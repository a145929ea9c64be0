using System.Globalization;
using Flow.Stages.Tabular.Scoring;
using Sylvan.Data.Csv;

namespace Flow.Stages.Tabular.Arff;

/// <summary>
/// A dense ARFF data set (Weka's format, e.g. <c>credit-g.arff</c>): the header's <c>@attribute</c>
/// lines, then the <c>@data</c> records, read with Sylvan.Data.Csv (single-quoted fields).
/// </summary>
public sealed class ArffDataset
{
    private ArffDataset(string relation, IReadOnlyList<ArffColumn> attributes, IReadOnlyList<string[]> rows)
    {
        Relation = relation;
        Attributes = attributes;
        Rows = rows;
    }

    /// <summary>The <c>@relation</c> name.</summary>
    public string Relation { get; }

    /// <summary>The attributes in column order.</summary>
    public IReadOnlyList<ArffColumn> Attributes { get; }

    /// <summary>The records, one string per attribute (<c>?</c> for missing).</summary>
    public IReadOnlyList<string[]> Rows { get; }

    /// <summary>Loads a dense ARFF file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The data set.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">The file is not valid ARFF; the message names the file and line.</exception>
    public static ArffDataset Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"ARFF file '{path}' not found (run scripts/assets/fraud.sh to fetch credit-g.arff)", path);
        }

        using var reader = new StreamReader(path);
        string relation = string.Empty;
        var attributes = new List<ArffColumn>();
        int lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            var text = line.Trim();
            if (text.Length == 0 || text[0] == '%')
            {
                continue;
            }

            if (text.StartsWith("@relation", StringComparison.OrdinalIgnoreCase))
            {
                relation = text[9..].Trim().Trim('\'');
            }
            else if (text.StartsWith("@attribute", StringComparison.OrdinalIgnoreCase))
            {
                attributes.Add(ParseAttribute(text[10..].Trim(), path, lineNumber));
            }
            else if (text.StartsWith("@data", StringComparison.OrdinalIgnoreCase))
            {
                break;
            }
            else
            {
                throw new FormatException($"{path}:{lineNumber}: unexpected header line '{text}'");
            }
        }

        if (attributes.Count == 0)
        {
            throw new FormatException($"{path}: no @attribute lines before @data");
        }

        var rows = new List<string[]>();
        using var csv = CsvDataReader.Create(reader, new CsvDataReaderOptions { HasHeaders = false, Quote = '\'', Delimiter = ',', Comment = '%' });
        while (csv.Read())
        {
            if (csv.RowFieldCount == 1 && string.IsNullOrWhiteSpace(csv.GetString(0)))
            {
                continue;
            }

            if (csv.RowFieldCount != attributes.Count)
            {
                throw new FormatException($"{path}: data record {csv.RowNumber}: {csv.RowFieldCount} fields, expected {attributes.Count}");
            }

            var row = new string[attributes.Count];
            for (int i = 0; i < row.Length; i++)
            {
                row[i] = csv.GetString(i).Trim();
            }

            rows.Add(row);
        }

        return new ArffDataset(relation, attributes, rows);
    }

    /// <summary>
    /// Encodes the records as feature vectors for a binary target: numeric attributes as they are
    /// (NaN when missing), nominal attributes one-hot.
    /// </summary>
    /// <param name="target">The class attribute's name.</param>
    /// <param name="positiveValue">The class value that counts as positive.</param>
    /// <returns>One row per record.</returns>
    /// <exception cref="ArgumentException">The target is unknown or not nominal, or a value is outside its attribute's set.</exception>
    public IReadOnlyList<FeatureRow> ToFeatureRows(string target, string positiveValue)
    {
        int targetIndex = Attributes.ToList().FindIndex(a => a.Name == target);
        if (targetIndex < 0 || Attributes[targetIndex].IsNumeric)
        {
            throw new ArgumentException($"'{target}' is not a nominal attribute of '{Relation}'", nameof(target));
        }

        var result = new List<FeatureRow>(Rows.Count);
        foreach (var row in Rows)
        {
            var features = new List<float>();
            for (int i = 0; i < Attributes.Count; i++)
            {
                if (i == targetIndex)
                {
                    continue;
                }

                var attribute = Attributes[i];
                if (attribute.IsNumeric)
                {
                    features.Add(row[i] == "?" ? float.NaN : float.Parse(row[i], CultureInfo.InvariantCulture));
                }
                else
                {
                    int index = attribute.NominalValues.ToList().IndexOf(row[i]);
                    if (index < 0 && row[i] != "?")
                    {
                        throw new ArgumentException($"value '{row[i]}' is not one of attribute '{attribute.Name}'s values", nameof(target));
                    }

                    for (int v = 0; v < attribute.NominalValues.Count; v++)
                    {
                        features.Add(v == index ? 1f : 0f);
                    }
                }
            }

            result.Add(new FeatureRow { Features = [.. features], Label = row[targetIndex] == positiveValue });
        }

        return result;
    }

    private static ArffColumn ParseAttribute(string text, string path, int line)
    {
        // name (maybe quoted), then a type: numeric/real/integer or {v1, 'v 2', ...}.
        string name;
        string rest;
        if (text.StartsWith('\''))
        {
            int end = text.IndexOf('\'', 1);
            if (end < 0)
            {
                throw new FormatException($"{path}:{line}: unterminated attribute name");
            }

            name = text[1..end];
            rest = text[(end + 1)..].Trim();
        }
        else
        {
            int space = text.IndexOfAny([' ', '\t', '{']);
            if (space < 0)
            {
                throw new FormatException($"{path}:{line}: attribute '{text}' has no type");
            }

            name = text[..space];
            rest = text[space..].Trim();
        }

        if (rest.StartsWith('{'))
        {
            int close = rest.LastIndexOf('}');
            if (close < 0)
            {
                throw new FormatException($"{path}:{line}: attribute '{name}': unterminated value set");
            }

            using var values = CsvDataReader.Create(new StringReader(rest[1..close]), new CsvDataReaderOptions { HasHeaders = false, Quote = '\'', Delimiter = ',' });
            var list = new List<string>();
            if (values.Read())
            {
                for (int i = 0; i < values.RowFieldCount; i++)
                {
                    list.Add(values.GetString(i).Trim().Trim('\''));
                }
            }

            return new ArffColumn(name, list);
        }

        string type = rest.ToLowerInvariant();
        if (type is "numeric" or "real" or "integer")
        {
            return new ArffColumn(name, []);
        }

        throw new FormatException($"{path}:{line}: attribute '{name}': type '{rest}' is not supported (numeric, real, integer or a value set)");
    }
}
