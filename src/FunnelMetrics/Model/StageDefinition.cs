using System.Text.Json.Serialization;

namespace FunnelMetrics;

/// <summary>
/// One stage of a pipeline, for example "3. meeting set". Immutable and validated on construction.
/// </summary>
/// <remarks>
/// Stages are ordered by their position in <see cref="PipelineDefinition.Stages"/>; a move to a later
/// position is forward, to an earlier one a regression.
/// </remarks>
public sealed class StageDefinition : IEquatable<StageDefinition>
{
    /// <summary>Creates a stage.</summary>
    /// <param name="key">The stage's key, unique within its pipeline.</param>
    /// <param name="displayName">The name shown to people; when <see langword="null"/>, the key's value. At most 200 characters.</param>
    /// <param name="stallThreshold">
    /// How long a client may stay idle in this stage before it counts as stalled; <see langword="null"/> when the
    /// stage sets none. Must be strictly positive.
    /// </param>
    /// <param name="winProbability">
    /// The probability, from 0 to 1 inclusive, that a client in this stage is eventually won, for weighted
    /// forecasts; <see langword="null"/> when the stage sets none.
    /// </param>
    /// <exception cref="ArgumentException">A value breaks the rule named in the message.</exception>
    [JsonConstructor]
    public StageDefinition(StageId key, string? displayName = null, TimeSpan? stallThreshold = null, double? winProbability = null)
    {
        Key = TextRules.NotDefault(key, "A stage key", nameof(key));
        DisplayName = displayName is null ? key.Value : TextRules.Required(displayName, TextRules.MaxNameLength, "A stage's display name", nameof(displayName));
        if (stallThreshold is { } threshold && threshold <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(stallThreshold), threshold, $"The stall threshold of stage '{key}' must be strictly positive.");
        }

        if (winProbability is { } p && !(p >= 0 && p <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(winProbability), p, $"The win probability of stage '{key}' must be between 0 and 1 inclusive.");
        }

        StallThreshold = stallThreshold;
        WinProbability = winProbability;
    }

    /// <summary>The stage's key, unique within its pipeline.</summary>
    public StageId Key { get; }

    /// <summary>The name shown to people.</summary>
    public string DisplayName { get; }

    /// <summary>How long a client may stay idle in this stage before it counts as stalled, or <see langword="null"/> when the stage sets none.</summary>
    public TimeSpan? StallThreshold { get; }

    /// <summary>The probability (0 to 1) that a client in this stage is eventually won, for weighted forecasts, or <see langword="null"/>.</summary>
    public double? WinProbability { get; }

    /// <inheritdoc/>
    public bool Equals(StageDefinition? other) =>
        other is not null
        && Key == other.Key
        && DisplayName == other.DisplayName
        && StallThreshold == other.StallThreshold
        && WinProbability == other.WinProbability;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as StageDefinition);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Key, DisplayName, StallThreshold, WinProbability);

    /// <summary>The key and display name.</summary>
    /// <returns>A short description for logs.</returns>
    public override string ToString() => DisplayName == Key.Value ? Key.Value : $"{Key} ({DisplayName})";
}
