using System.Text.Json;
using FunnelMetrics.Serialization;

namespace FunnelMetrics.Samples.Dashboard;

/// <summary>The pipeline to import into and read, and how a file's stage names map onto it.</summary>
/// <remarks>
/// A file's stage column names a stage (by key or display name), a lost outcome, or <c>activity</c>, all ignoring
/// case: a name that could mean two of them is refused, so a lost client can never be read as a move.
/// </remarks>
internal sealed record PipelineSetup
{
    /// <summary>Creates a setup.</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="lostOutcomes">Stage names in a file that mean the client was lost (compared ignoring case).</param>
    /// <exception cref="SetupException">A lost outcome is also a stage's key or name, or <c>activity</c>; or a stage is named <c>activity</c>.</exception>
    public PipelineSetup(PipelineDefinition pipeline, IReadOnlyList<string> lostOutcomes)
    {
        Pipeline = pipeline;
        LostOutcomes = lostOutcomes;
        StageKeys = [.. pipeline.Stages.Select(s => s.Key.Value)];
        foreach (var stage in pipeline.Stages)
        {
            if (string.Equals(stage.Key.Value, CsvHistory.ActivityStage, StringComparison.OrdinalIgnoreCase) || string.Equals(stage.DisplayName, CsvHistory.ActivityStage, StringComparison.OrdinalIgnoreCase))
            {
                throw new SetupException($"The stage '{Printable(stage.Key.Value)}' is named '{CsvHistory.ActivityStage}', which a file uses for an action that changes no stage; rename the stage.");
            }

            // Keys first, then display names, ignoring case: a name two stages answer to would send rows to the first.
            foreach (var name in new[] { stage.Key.Value, stage.DisplayName })
            {
                if (_byName.TryGetValue(name, out var other) && other != stage.Key)
                {
                    throw new SetupException($"The stages '{Printable(other.Value)}' and '{Printable(stage.Key.Value)}' both answer to the name '{Printable(name)}' (ignoring case): a file's row could mean either. Give them distinct keys and display names.");
                }

                _byName[name] = stage.Key;
            }
        }

        foreach (var outcome in lostOutcomes)
        {
            if (TryMatchStage(outcome, out var stage))
            {
                throw new SetupException($"The lost outcome '{Printable(outcome)}' is also the stage '{Printable(stage.Value)}': a file's row could mean either. Give the lost outcomes names no stage has (--lost, lostOutcomes).");
            }

            if (string.Equals(outcome, CsvHistory.ActivityStage, StringComparison.OrdinalIgnoreCase))
            {
                throw new SetupException($"The lost outcome '{Printable(outcome)}' is '{CsvHistory.ActivityStage}', which a file uses for an action that changes no stage.");
            }
        }
    }

    private readonly Dictionary<string, StageId> _byName = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The pipeline.</summary>
    public PipelineDefinition Pipeline { get; }

    /// <summary>The pipeline's stage keys, in order.</summary>
    public IReadOnlyList<string> StageKeys { get; }

    /// <summary>Stage names in a file that mean the client was lost (compared ignoring case).</summary>
    public IReadOnlyList<string> LostOutcomes { get; }

    /// <summary>The seven stages of the founding article, with stall thresholds where a head of sales would set them.</summary>
    public static PipelineSetup Default { get; } = new(
        DemoTeam.Pipeline,
        ["lost"]);

    /// <summary>
    /// Reads a pipeline file: the library's pipeline JSON (docs/integration.md) with an optional <c>lostOutcomes</c>
    /// array of stage names that mean lost.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <returns>The setup.</returns>
    /// <exception cref="SetupException">The file cannot be read or is not a valid pipeline.</exception>
    public static PipelineSetup FromFile(string path)
    {
        try
        {
            var json = File.ReadAllBytes(path);
            var pipeline = JsonSerializer.Deserialize(json, FunnelMetricsJsonContext.Default.PipelineDefinition)
                ?? throw new SetupException($"{path}: the file holds null, not a pipeline.");
            using var document = JsonDocument.Parse(json);
            var lost = document.RootElement.TryGetProperty("lostOutcomes", out var outcomes)
                ? outcomes.EnumerateArray().Select(e => e.GetString() ?? throw new SetupException($"{path}: lostOutcomes holds a null.")).ToArray()
                : ["lost"];
            return new PipelineSetup(pipeline, lost);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or ArgumentException or InvalidOperationException)
        {
            throw new SetupException($"{path}: not a valid pipeline file: {ex.Message}");
        }
    }

    /// <summary>A pipeline from a list of stage names in order (the last one means won), and the names that mean lost.</summary>
    /// <param name="stages">The stage names, comma-separated.</param>
    /// <param name="lost">The lost outcome names, comma-separated; "lost" when null.</param>
    /// <returns>The setup.</returns>
    /// <exception cref="SetupException">The names do not make a pipeline.</exception>
    public static PipelineSetup FromNames(string? stages, string? lost)
    {
        var lostOutcomes = Split(lost) is { Length: > 0 } names ? names : ["lost"];
        if (stages is null)
        {
            return new PipelineSetup(Default.Pipeline, lostOutcomes);
        }

        try
        {
            var definitions = Split(stages).Select(name => new StageDefinition(new StageId(name))).ToArray();
            return new PipelineSetup(new PipelineDefinition(new PipelineId("sales"), "Sales", definitions), lostOutcomes);
        }
        catch (ArgumentException ex)
        {
            throw new SetupException($"--stages: {ex.Message}");
        }
    }

    /// <summary>Finds the stage a file names, by key or display name, ignoring case.</summary>
    /// <param name="name">The name in the file.</param>
    /// <param name="stage">The stage.</param>
    /// <returns>Whether one matched.</returns>
    public bool TryMatchStage(string name, out StageId stage) => _byName.TryGetValue(name, out stage);

    /// <summary>Whether a file's stage name means lost.</summary>
    /// <param name="name">The name in the file.</param>
    /// <returns>Whether it is one of <see cref="LostOutcomes"/>.</returns>
    public bool IsLost(string name) => LostOutcomes.Any(o => string.Equals(o, name, StringComparison.OrdinalIgnoreCase));

    private static string Printable(string text) => SafeText.Printable(text);

    private static string[] Split(string? list) =>
        list is null ? [] : list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>A problem with the command line or a setup file, reported as one line and exit code 2.</summary>
/// <param name="message">What is wrong.</param>
internal sealed class SetupException(string message) : Exception(message);
