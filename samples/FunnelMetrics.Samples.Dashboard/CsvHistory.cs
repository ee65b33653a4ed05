using System.Globalization;
using FunnelMetrics.Import;
using nietras.SeparatedValues;

namespace FunnelMetrics.Samples.Dashboard;

/// <summary>A problem in a history file: where it is and what is wrong.</summary>
/// <param name="Line">The 1-based line of the file (the header is line 1).</param>
/// <param name="Column">The column at fault, or <c>*</c> for the row as a whole.</param>
/// <param name="Reason">What is wrong.</param>
/// <param name="ClientId">The row's client id as written, when it has one.</param>
internal sealed record CsvProblem(long Line, string Column, string Reason, string? ClientId = null);

/// <summary>
/// Reads a CRM export in the format of docs/import.md: one row per event, columns <c>client_id</c>, <c>stage</c>,
/// <c>occurred_at</c> (ISO 8601 with an offset), <c>owner</c>, optional <c>value</c>, <c>lost_reason</c> and
/// <c>note</c>, and any further column as a client attribute. CSV parsing is Sep's.
/// </summary>
internal static class CsvHistory
{
    public const string ClientIdColumn = "client_id";
    public const string StageColumn = "stage";
    public const string OccurredAtColumn = "occurred_at";
    public const string OwnerColumn = "owner";
    public const string ValueColumn = "value";
    public const string LostReasonColumn = "lost_reason";
    public const string NoteColumn = "note";

    /// <summary>The stage name that marks an activity (a call, a meeting) rather than a stage reached.</summary>
    public const string ActivityStage = "activity";

    private static readonly string[] Required = [ClientIdColumn, StageColumn, OccurredAtColumn, OwnerColumn];
    private static readonly string[] Known = [.. Required, ValueColumn, LostReasonColumn, NoteColumn];

    /// <summary>Reads every row; rows with a problem are reported and left out.</summary>
    /// <param name="path">The file.</param>
    /// <param name="setup">The pipeline and the stage names that mean lost.</param>
    /// <param name="problems">Receives the problems, in file order.</param>
    /// <param name="progress">Told the share of the file read so far, from 0 to 1.</param>
    /// <returns>The records of the good rows, with their line numbers as positions.</returns>
    /// <exception cref="SetupException">The file cannot be opened, or lacks a required column (then no row is read).</exception>
    public static List<ImportRecord> Read(string path, PipelineSetup setup, List<CsvProblem> problems, Action<double>? progress = null)
    {
        FileStream stream;
        try
        {
            stream = File.OpenRead(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new SetupException($"{path}: cannot be read: {ex.Message}");
        }

        using (stream)
        using (var reader = Sep.New(',').Reader(o => o with { Unescape = true, Trim = SepTrim.Outer }).From(stream))
        {
            var header = reader.Header;
            var missing = Required.Where(c => !header.TryIndexOf(c, out _)).ToArray();
            if (missing.Length > 0)
            {
                throw new SetupException($"{path}, line 1: the header lacks the column{(missing.Length > 1 ? "s" : "")} {string.Join(", ", missing)}; it has {string.Join(", ", header.ColNames)}. See docs/import.md.");
            }

            var clientIx = header.IndexOf(ClientIdColumn);
            var stageIx = header.IndexOf(StageColumn);
            var atIx = header.IndexOf(OccurredAtColumn);
            var ownerIx = header.IndexOf(OwnerColumn);
            var valueIx = header.TryIndexOf(ValueColumn, out var v) ? v : -1;
            var reasonIx = header.TryIndexOf(LostReasonColumn, out var r) ? r : -1;
            var noteIx = header.TryIndexOf(NoteColumn, out var n) ? n : -1;
            var attributeColumns = header.ColNames.Select((name, index) => (name, index)).Where(c => !Known.Contains(c.name)).ToArray();
            var clients = new Dictionary<string, ClientId>(StringComparer.Ordinal);
            var owners = new Dictionary<string, OwnerId>(StringComparer.Ordinal);
            var records = new List<ImportRecord>();
            var length = Math.Max(1, stream.Length);

            foreach (var row in reader)
            {
                var line = row.LineNumberFrom;
                if ((line & 0x3FFF) == 0)
                {
                    progress?.Invoke((double)stream.Position / length);
                }

                var before = problems.Count;
                var clientText = row[clientIx].ToString();
                var client = Id(clients, clientText, static s => new ClientId(s), line, ClientIdColumn, problems, null);
                var ownerText = row[ownerIx].ToString();
                var owner = ownerText.Length == 0 ? default : Id(owners, ownerText, static s => new OwnerId(s), line, OwnerColumn, problems, clientText);
                var at = ParseInstant(row[atIx].Span, line, problems, clientText);
                var stageText = row[stageIx].ToString();
                ImportAction action;
                StageId? stage = null;
                if (setup.TryMatchStage(stageText, out var matched))
                {
                    (action, stage) = (ImportAction.ReachedStage, matched);
                }
                else if (setup.IsLost(stageText))
                {
                    action = ImportAction.Lost;
                }
                else if (string.Equals(stageText, ActivityStage, StringComparison.OrdinalIgnoreCase))
                {
                    action = ImportAction.Activity;
                }
                else
                {
                    action = ImportAction.Activity;
                    problems.Add(new CsvProblem(line, StageColumn, Reason: stageText.Length == 0
                        ? "the stage is empty"
                        : $"unknown stage '{stageText}'; the pipeline's stages are {string.Join(", ", setup.Pipeline.Stages.Select(s => s.Key.Value))}, lost outcomes {string.Join(", ", setup.LostOutcomes)}, or '{ActivityStage}'", ClientId: clientText));
                }

                decimal? value = null;
                if (valueIx >= 0 && row[valueIx].Span is { Length: > 0 } valueText)
                {
                    if (decimal.TryParse(valueText, NumberStyles.Number, CultureInfo.InvariantCulture, out var parsed) && parsed >= 0)
                    {
                        value = parsed;
                    }
                    else
                    {
                        problems.Add(new CsvProblem(line, ValueColumn, $"'{valueText}' is not a non-negative number (use a dot for decimals, no currency sign)", clientText));
                    }
                }

                if (problems.Count > before)
                {
                    continue;
                }

                Dictionary<string, string>? attributes = null;
                foreach (var (name, index) in attributeColumns)
                {
                    if (row[index].Span.Length > 0)
                    {
                        attributes ??= new Dictionary<string, string>(StringComparer.Ordinal);
                        attributes[name] = row[index].ToString();
                    }
                }

                records.Add(new ImportRecord(client, action, stage, at, owner)
                {
                    Value = value,
                    LostReason = reasonIx >= 0 && row[reasonIx].Span.Length > 0 ? row[reasonIx].ToString() : action == ImportAction.Lost && !string.Equals(stageText, "lost", StringComparison.OrdinalIgnoreCase) ? stageText : null,
                    Note = noteIx >= 0 && row[noteIx].Span.Length > 0 ? row[noteIx].ToString() : null,
                    Attributes = attributes,
                    Position = line,
                });
            }

            progress?.Invoke(1);
            return records;
        }
    }

    /// <summary>The file's column for a problem the importer found in a record.</summary>
    /// <param name="field">The record's field.</param>
    /// <returns>The column name, or <c>*</c> for the row.</returns>
    public static string ColumnOf(ImportField field) => field switch
    {
        ImportField.ClientId => ClientIdColumn,
        ImportField.Stage => StageColumn,
        ImportField.OccurredAt => OccurredAtColumn,
        ImportField.Owner => OwnerColumn,
        ImportField.Value => ValueColumn,
        ImportField.LostReason => LostReasonColumn,
        ImportField.Attributes => "(attributes)",
        _ => "*",
    };

    private static T Id<T>(Dictionary<string, T> interned, string text, Func<string, T> create, long line, string column, List<CsvProblem> problems, string? clientText)
    {
        if (interned.TryGetValue(text, out var id))
        {
            return id;
        }

        try
        {
            id = create(text);
            interned.Add(text, id);
            return id;
        }
        catch (ArgumentException ex)
        {
            problems.Add(new CsvProblem(line, column, text.Length == 0 ? "the value is empty" : ex.Message, clientText));
            return default!;
        }
    }

    private static DateTimeOffset ParseInstant(ReadOnlySpan<char> text, long line, List<CsvProblem> problems, string clientText)
    {
        // ISO 8601 with an explicit offset ("Z" or "+hh:mm"): a time without one would silently mean the machine's zone.
        var hasOffset = text.Length > 6 && (text[^1] is 'Z' or 'z' || (text[^3] == ':' && text[^6] is '+' or '-'));
        if (hasOffset && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
        {
            return at;
        }

        problems.Add(new CsvProblem(line, OccurredAtColumn, text.Length == 0
            ? "the time is empty"
            : $"'{text}' is not an ISO 8601 time with an offset, such as 2026-03-02T09:30:00+01:00 or 2026-03-02T08:30:00Z",
            clientText));
        return default;
    }
}
