using System.Text.Json.Serialization;

namespace FunnelMetrics.Forecasting;

/// <summary>
/// One thing that limits a forecast, in a form a program can act on: its kind, the stages and the number of clients
/// it concerns, and whose forecast it limits. <see cref="Message"/> is the sentence <see cref="Forecast.Reason"/> joins.
/// </summary>
public sealed class ForecastLimitation : IEquatable<ForecastLimitation>
{
    [JsonConstructor]
    internal ForecastLimitation(ForecastLimitationKind kind, string message, IReadOnlyList<StageId>? stages = null, int? clients = null, OwnerId? owner = null)
    {
        Kind = kind;
        Message = message;
        Stages = stages ?? [];
        Clients = clients;
        Owner = owner;
    }

    /// <summary>What limits the forecast.</summary>
    public ForecastLimitationKind Kind { get; }

    /// <summary>The limitation in one sentence, naming the figures (as <see cref="Forecast.Reason"/> says it).</summary>
    public string Message { get; }

    /// <summary>
    /// The stages it concerns, in pipeline order, all of them (the message names at most ten): the stages without basis
    /// that hold the clients concerned, the sparse stages, the stages of the loops left approximate, the stages whose
    /// clients' fate is partly unknown, or the stages with rates but no durations. Empty when it concerns the forecast
    /// as a whole (<see cref="ForecastLimitationKind.NoBasis"/>, <see cref="ForecastLimitationKind.CoarseHorizonGrid"/>).
    /// </summary>
    public IReadOnlyList<StageId> Stages { get; }

    /// <summary>
    /// How many clients in work it concerns (those in a stage without basis, those whose fate is partly unknown, or all of
    /// them, 0 included, when there is no basis); <see langword="null"/> when it concerns rates or timing rather than clients.
    /// </summary>
    public int? Clients { get; }

    /// <summary>
    /// The owner whose forecast in <see cref="Forecast.ByOwner"/> it limits; <see langword="null"/> when it limits the
    /// forecast itself (and so is one of the sentences of <see cref="Forecast.Reason"/>).
    /// </summary>
    public OwnerId? Owner { get; }

    /// <summary>The kind, the owner when there is one, and the message.</summary>
    /// <returns>For logs.</returns>
    public override string ToString() => Owner is { } owner ? $"{Kind} ({owner}): {Message}" : $"{Kind}: {Message}";

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(ForecastLimitation? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Kind == other.Kind
            && string.Equals(Message, other.Message, StringComparison.Ordinal)
            && ValueEquality.Sequence(Stages, other.Stages)
            && Clients == other.Clients
            && Owner == other.Owner);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ForecastLimitation);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Kind, Message, Stages.Count, Clients, Owner);
}
