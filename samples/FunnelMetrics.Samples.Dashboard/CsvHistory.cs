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
/// <c>occurred_at</c> (ISO 8601 with an offset), <c>owner</c>, optional <c>value</c>, <c>expected_close_date</c>,
/// <c>lost_reason</c> and <c>note</c>, and any further column as a client attribute. CSV parsing is Sep's.
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
    public const string ExpectedCloseDateColumn = "expected_close_date";

    /// <summary>The stage name that marks an activity (a call, a meeting) rather than a stage reached.</summary>
    public const string ActivityStage = "activity";

    private static readonly string[] Required = [ClientIdColumn, StageColumn, OccurredAtColumn, OwnerColumn];
    private static readonly string[] Known = [.. Required, ValueColumn, LostReasonColumn, NoteColumn, ExpectedCloseDateColumn];

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
        {
            SepReader reader;
            try
            {
                // The column count is checked here, per row, so a short or long row is listed and the others still read.
                reader = Sep.New(',').Reader(o => o with { Unescape = true, Trim = SepTrim.Outer, DisableColCountCheck = true }).From(stream);
            }
            catch (ArgumentException ex)
            {
                // Sep refuses a header that names a column twice.
                problems.Add(new CsvProblem(1, RowColumn, $"the header is not usable: {SafeText.Shortened(ex.Message, 300)}"));
                return [];
            }
            catch (Exception ex) when (ex is NotSupportedException or InvalidDataException)
            {
                // A header line over Sep's 16 MiB limit (a quote never closed on line 1, or not a text file).
                problems.Add(new CsvProblem(1, RowColumn, $"the header cannot be read: {ex.Message}"));
                return [];
            }

            using (reader)
            {
                return ReadRows(path, reader, stream, setup, problems, progress);
            }
        }
    }

    private static List<ImportRecord> ReadRows(string path, SepReader reader, FileStream stream, PipelineSetup setup, List<CsvProblem> problems, Action<double>? progress)
    {
        {
            var header = reader.Header;
            var missing = Required.Where(c => !header.TryIndexOf(c, out _)).ToArray();
            if (missing.Length > 0)
            {
                throw new SetupException($"{path}, line 1: the header lacks the column{(missing.Length > 1 ? "s" : "")} {string.Join(", ", missing)}; it has {SafeText.Some([.. header.ColNames.Select(c => SafeText.Shortened(c, 40))])}. See docs/import.md.");
            }

            var clientIx = header.IndexOf(ClientIdColumn);
            var stageIx = header.IndexOf(StageColumn);
            var atIx = header.IndexOf(OccurredAtColumn);
            var ownerIx = header.IndexOf(OwnerColumn);
            var valueIx = header.TryIndexOf(ValueColumn, out var v) ? v : -1;
            var reasonIx = header.TryIndexOf(LostReasonColumn, out var r) ? r : -1;
            var noteIx = header.TryIndexOf(NoteColumn, out var n) ? n : -1;
            var closeIx = header.TryIndexOf(ExpectedCloseDateColumn, out var d) ? d : -1;
            var attributeColumns = header.ColNames.Select((name, index) => (name, index)).Where(c => !Known.Contains(c.name)).ToArray();
            var clients = new Dictionary<string, ClientId>(StringComparer.Ordinal);
            var owners = new Dictionary<string, OwnerId>(StringComparer.Ordinal);
            var records = new List<ImportRecord>();
            // A pipe has no length: its progress is only told at the end.
            var length = stream.CanSeek ? Math.Max(1, stream.Length) : 0;

            var columns = header.ColNames.Count;
            var lastLine = 1;
            using var rows = reader.GetEnumerator();
            while (true)
            {
                try
                {
                    if (!rows.MoveNext())
                    {
                        break;
                    }
                }
                catch (Exception ex) when (ex is NotSupportedException or InvalidDataException)
                {
                    // Sep stops at a row it cannot buffer (over 16 MiB, usually a quote never closed): list it and read no further.
                    problems.Add(new CsvProblem(lastLine + 1, RowColumn, $"a row from this line on cannot be read: {ex.Message} Nothing from line {lastLine + 1} on was read."));
                    break;
                }

                var row = rows.Current;
                var line = row.LineNumberFrom;
                lastLine = row.LineNumberToExcl - 1;
                if ((line & 0x3FFF) == 0 && length > 0)
                {
                    progress?.Invoke((double)stream.Position / length);
                }

                if (row.Span.Count('"') % 2 == 1)
                {
                    // Only a quote never closed leaves an odd count: it swallowed the rest of the file into this row.
                    problems.Add(new CsvProblem(line, RowColumn, $"a quote opened on this line is never closed: the row runs to the end of the file (line {lastLine})", row.ColCount > clientIx ? row[clientIx].ToString() : null));
                    continue;
                }

                if (row.ColCount != columns)
                {
                    problems.Add(new CsvProblem(line, RowColumn, $"the row has {row.ColCount} field(s); the header has {columns}", row.ColCount > clientIx ? row[clientIx].ToString() : null));
                    continue;
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
                        : $"unknown stage '{SafeText.Printable(stageText)}'; the pipeline's stages are {SafeText.Some(setup.StageKeys)}, lost outcomes {SafeText.Some(setup.LostOutcomes)}, or '{ActivityStage}'", ClientId: clientText));
                }

                decimal? value = null;
                if (valueIx >= 0 && row[valueIx].Span is { Length: > 0 } valueText)
                {
                    // Digits with an optional decimal dot, nothing else: "1,5" must not silently become 15.
                    if (decimal.TryParse(valueText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var parsed) && parsed <= Client.MaxValue)
                    {
                        value = parsed;
                    }
                    else
                    {
                        problems.Add(new CsvProblem(line, ValueColumn, $"'{SafeText.Printable(valueText.ToString())}' is not a number from 0 to 10^18 written with digits and an optional decimal dot (no thousands separator, sign, exponent or currency)", clientText));
                    }
                }

                DateOnly? closeDate = null;
                if (closeIx >= 0 && row[closeIx].Span is { Length: > 0 } closeText)
                {
                    // A calendar date, exactly yyyy-MM-dd: "03/04/2026" could be either month.
                    if (DateOnly.TryParseExact(closeText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
                    {
                        closeDate = parsed;
                    }
                    else
                    {
                        problems.Add(new CsvProblem(line, ExpectedCloseDateColumn, $"'{SafeText.Printable(closeText.ToString())}' is not a date written yyyy-MM-dd, such as 2026-11-30", clientText));
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
                    ExpectedCloseDate = closeDate,
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

    /// <summary>The column of a problem with the row as a whole (a wrong number of fields, an unreadable row).</summary>
    public const string RowColumn = "*";

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
        ImportField.Note => NoteColumn,
        ImportField.ExpectedCloseDate => ExpectedCloseDateColumn,
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
            problems.Add(new CsvProblem(line, column, text.Length == 0 ? "the value is empty" : SafeText.Printable(ex.Message), clientText));
            return default!;
        }
    }

    private static DateTimeOffset ParseInstant(ReadOnlySpan<char> text, long line, List<CsvProblem> problems, string clientText)
    {
        if (TryParseInstant(text, out var at))
        {
            return at;
        }

        problems.Add(new CsvProblem(line, OccurredAtColumn, text.Length == 0
            ? "the time is empty"
            : $"'{SafeText.Printable(text.ToString())}' is not an ISO 8601 time with an offset, such as 2026-03-02T09:30:00+01:00 or 2026-03-02T08:30:00Z",
            clientText));
        return default;
    }

    /// <summary>
    /// Parses an ISO 8601 instant with an explicit offset, and nothing else: <c>yyyy-MM-ddTHH:mm</c>, optional seconds
    /// and fraction (up to 7 digits), then <c>Z</c> or <c>±hh:mm</c> (or <c>±hhmm</c>). A time without an offset would
    /// silently mean the machine's zone; day-first or month-first dates and month names are ambiguous.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="instant">The instant, or default.</param>
    /// <returns>Whether the text is such an instant.</returns>
    public static bool TryParseInstant(ReadOnlySpan<char> text, out DateTimeOffset instant)
    {
        // The format's offset specifier also takes "+2:00" and "+02"; ISO 8601 wants two-digit hours and minutes.
        var offsetOk = text.Length > 6 && (text[^1] is 'Z' or 'z'
            || (text[^6] is '+' or '-' && text[^3] == ':' && char.IsAsciiDigit(text[^5]) && char.IsAsciiDigit(text[^4]))
            || (text[^5] is '+' or '-' && !text[^4..].ContainsAnyExceptInRange('0', '9')));
        instant = default;
        return offsetOk && DateTimeOffset.TryParseExact(text, InstantFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out instant);
    }

    private static readonly string[] InstantFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'z'",
        "yyyy-MM-dd'T'HH:mmzzz", "yyyy-MM-dd'T'HH:mm'Z'", "yyyy-MM-dd'T'HH:mm'z'",
    ];
}
